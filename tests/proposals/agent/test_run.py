"""One agent run against the sandbox model: proposals, the call log, cost and caching."""

from decimal import Decimal

import pytest

from proposals.agent.cost import Usage, cost_micro_usd
from proposals.agent.run import agent_run
from proposals.models import AICall, AICallStatus, Proposal, ProposalKind, ProposalStatus

pytestmark = pytest.mark.django_db


def test_a_run_proposes_what_the_data_supports_within_the_guardrails(claude_connection, shop):
    run = agent_run()
    made = {p.kind: p for p in run.proposals}
    assert run.call.status == AICallStatus.OK
    assert set(made) == {ProposalKind.BUDGET, ProposalKind.PAUSE, ProposalKind.PAGE_CONTENT,
                         ProposalKind.SOCIAL_POST}  # fmt: skip
    assert all(p.status == ProposalStatus.PENDING for p in run.proposals)
    budget = made[ProposalKind.BUDGET]
    assert (budget.campaign, budget.current_value, budget.proposed_value) == (
        shop.winner,
        10_000,
        11_500,
    )
    assert made[ProposalKind.PAUSE].campaign == shop.loser
    assert made[ProposalKind.PAGE_CONTENT].proposed_value == "Best Gear Clock | Flux Engineering"
    assert made[ProposalKind.SOCIAL_POST].proposed_value["product_ids"] == [shop.clock.pk]
    assert all(p.source == "ai" and p.ai_call == run.call for p in run.proposals)


def test_the_call_is_logged_with_prompt_output_tokens_and_cost(claude_connection, shop):
    call = agent_run().call
    call.refresh_from_db()
    assert call.model == "claude-sonnet-4-6"
    assert '<data name="campaigns">' in call.messages[0]["content"]
    assert len(call.tool_calls) == 4
    assert call.output["stop_reason"] == "tool_use"
    assert call.input_tokens > 0
    assert call.output_tokens > 0
    assert call.cache_write_tokens > 0
    assert call.cache_read_tokens == 0
    usage = Usage(call.input_tokens, call.output_tokens, call.cache_write_tokens, 0)
    assert call.cost_micro_usd == cost_micro_usd("claude-sonnet-4-6", usage) > 0
    assert call.attempts == [{"status": 200, "request_id": call.attempts[0]["request_id"],
                              "error": ""}]  # fmt: skip
    assert call.finished_at is not None
    assert call.latency_ms >= 0


def test_the_second_call_reads_the_system_prompt_from_the_cache(claude_connection, shop):
    agent_run()
    second = agent_run().call
    assert second.cache_read_tokens > 0
    assert second.cache_write_tokens == 0


def test_the_request_offers_every_tool_and_marks_the_system_prompt_for_caching(
    claude_connection, shop, claude
):
    agent_run()
    body = claude.platform.requests[-1].body
    assert body["stream"] is True
    assert body["model"] == "claude-sonnet-4-6"
    assert {t["name"] for t in body["tools"]} == {
        "propose_budget_change", "propose_pause", "propose_resume",
        "propose_page_content_change", "propose_social_post"}  # fmt: skip
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert claude.platform.requests[-1].auth == "bearer"


def test_a_target_with_an_open_proposal_gets_no_second_one(claude_connection, shop):
    agent_run()
    again = agent_run()
    assert again.proposals == []
    reasons = {r["reason"] for r in again.call.rejections}
    assert reasons == {
        "a post draft for these products is already waiting",
        f"campaign {shop.loser.pk} already has an open proposal",
        f"campaign {shop.winner.pk} already has an open proposal",
        "the page's title already has an open proposal",
    }
    assert Proposal.objects.filter(campaign=shop.winner).count() == 1


def test_cost_comes_from_the_price_table(settings):
    settings.FLUX_AI_PRICES = {"m": {"input": "3", "output": "15", "cache_write": "3.75",
                                     "cache_read": "0.30"}}  # fmt: skip
    usage = Usage(input_tokens=1_000_000, output_tokens=200_000, cache_write_tokens=10_000,
                  cache_read_tokens=100_000)  # fmt: skip
    # 3 + 3 + 0.0375 + 0.03 dollars
    assert cost_micro_usd("m", usage) == 6_067_500
    assert Decimal(cost_micro_usd("m", Usage(output_tokens=1))) == 15


def test_a_model_without_a_price_is_refused_before_any_call(
    claude_connection, shop, claude, settings
):
    settings.FLUX_AI_MODEL = "claude-unpriced"
    call = agent_run().call
    assert call.status == AICallStatus.REFUSED
    assert "No price" in call.error
    assert claude.message_requests == 0


def test_without_an_anthropic_connection_nothing_is_sent(claude, shop):
    call = agent_run().call
    assert call.status == AICallStatus.REFUSED
    assert "No active Anthropic connection" in call.error
    assert claude.platform.requests == []
    assert AICall.objects.count() == 1
