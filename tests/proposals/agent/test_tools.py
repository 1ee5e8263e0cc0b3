"""The tools Claude is offered: strict schemas, and strict parsing of what it answers."""

import pytest

from proposals.agent.tools import (
    TOOLS,
    BudgetChange,
    SocialPost,
    ToolInputInvalid,
    tool_definitions,
    tool_input_parse,
)

BUDGET = {"campaign_id": 3, "new_daily_budget_minor": 11_500, "rationale": "Best ROAS.",
          "expected_impact": "More sales.", "confidence": 0.7}  # fmt: skip


def _object_schemas(schema):
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            yield schema
        for value in schema.values():
            yield from _object_schemas(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _object_schemas(value)


def test_there_is_one_tool_per_allowed_proposal_kind():
    assert {t.kind for t in TOOLS} == {"budget", "pause", "resume", "page_content", "social_post"}


@pytest.mark.parametrize("definition", tool_definitions(), ids=lambda d: d["name"])
def test_every_tool_schema_is_closed_and_requires_every_field(definition):
    assert definition["strict"] is True
    for schema in _object_schemas(definition["input_schema"]):
        assert schema["additionalProperties"] is False
        assert set(schema["required"]) == set(schema["properties"])


def test_a_budget_change_names_campaign_budget_rationale_impact_and_confidence():
    schema = tool_definitions()[0]["input_schema"]
    assert set(schema["properties"]) == {"campaign_id", "new_daily_budget_minor", "rationale",
                                         "expected_impact", "confidence"}  # fmt: skip
    assert schema["properties"]["confidence"] == {"maximum": 1, "minimum": 0, "type": "number"}


def test_a_well_formed_call_parses():
    tool, data = tool_input_parse("propose_budget_change", BUDGET)
    assert tool.kind == "budget"
    assert isinstance(data, BudgetChange)
    assert data.new_daily_budget_minor == 11_500


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"campaign_id": "3"}, "campaign_id: int_type"),
        ({"new_daily_budget_minor": 1.5}, "new_daily_budget_minor: int_type"),
        ({"new_daily_budget_minor": 0}, "greater_than_equal"),
        ({"confidence": 3}, "confidence: less_than_equal"),
        ({"rationale": ""}, "rationale: string_too_short"),
        ({"extra": 1}, "extra: extra_forbidden"),
    ],
)
def test_out_of_schema_input_is_refused_naming_the_field_not_the_value(change, problem):
    with pytest.raises(ToolInputInvalid, match=problem) as refused:
        tool_input_parse("propose_budget_change", {**BUDGET, **change})
    assert "1.5" not in str(refused.value)


def test_an_unknown_tool_or_a_non_object_input_is_refused():
    with pytest.raises(ToolInputInvalid, match="no tool named"):
        tool_input_parse("delete_everything", {})
    with pytest.raises(ToolInputInvalid, match="not an object"):
        tool_input_parse("propose_pause", ["x"])


def test_a_post_draft_takes_a_channel_products_and_a_time():
    _, post = tool_input_parse("propose_social_post", {
        "channel": "instagram", "caption": "New!", "product_ids": [1],
        "suggested_time": "2026-12-01T17:00:00Z", "rationale": "Sells.", "expected_impact": "",
        "confidence": 0.5})  # fmt: skip
    assert isinstance(post, SocialPost)
    assert post.suggested_time.hour == 17
    with pytest.raises(ToolInputInvalid, match="channel"):
        tool_input_parse("propose_social_post", {
            "channel": "tiktok", "caption": "New!", "product_ids": [1],
            "suggested_time": "2026-12-01T17:00:00Z", "rationale": "Sells.",
            "expected_impact": "", "confidence": 0.5})  # fmt: skip
