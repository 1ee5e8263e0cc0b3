"""The agent's tools: one per allowed proposal kind, each with a strict input schema.

The pydantic models are the single source of truth: their JSON schemas (no extra properties,
every field required, bounded numbers and texts) are what Claude is offered, and the same
models parse what it answers, in strict mode, so a string never passes for a number.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from proposals.models import ProposalKind

Rationale = Annotated[str, Field(min_length=1, max_length=2000)]
Impact = Annotated[str, Field(max_length=500)]
Confidence = Annotated[float, Field(ge=0, le=1)]
CampaignId = Annotated[int, Field(ge=1)]


class ToolInput(BaseModel):
    """Base of every tool input: strict, closed, frozen."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    rationale: Rationale
    expected_impact: Impact
    confidence: Confidence


class BudgetChange(ToolInput):
    """Set a campaign's daily budget (minor units of its currency)."""

    campaign_id: CampaignId
    new_daily_budget_minor: Annotated[int, Field(ge=1, le=100_000_000)]


class Pause(ToolInput):
    """Pause an active campaign."""

    campaign_id: CampaignId


class Resume(ToolInput):
    """Resume a paused campaign."""

    campaign_id: CampaignId


class PageContentChange(ToolInput):
    """Change a page's title, meta description, headings or copy."""

    page_url: Annotated[str, Field(min_length=1, max_length=500)]
    field: Literal["title", "meta_description", "headings", "copy"]
    proposed_text: Annotated[str, Field(min_length=1, max_length=5000)]


class SocialPost(ToolInput):
    """Draft an Instagram or Facebook post about catalog products."""

    channel: Literal["instagram", "facebook"]
    caption: Annotated[str, Field(min_length=1, max_length=2200)]
    product_ids: Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1, max_length=10)]
    suggested_time: datetime


@dataclass(frozen=True)
class Tool:
    """A tool Claude may call: its name, the proposal kind it makes and its input model."""

    name: str
    kind: str
    description: str
    model: type[ToolInput]

    def definition(self) -> dict[str, Any]:
        """Return the tool as the Messages API takes it, with its strict input schema."""
        schema = _without_titles(self.model.model_json_schema())
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": schema,
            "strict": True,
        }


TOOLS = (
    Tool("propose_budget_change", ProposalKind.BUDGET,
         "Propose a new daily budget for one campaign, in minor units of its currency.",
         BudgetChange),
    Tool("propose_pause", ProposalKind.PAUSE, "Propose pausing one active campaign.", Pause),
    Tool("propose_resume", ProposalKind.RESUME, "Propose resuming one paused campaign.", Resume),
    Tool("propose_page_content_change", ProposalKind.PAGE_CONTENT,
         "Propose a new title, meta description, headings or copy for one page URL.",
         PageContentChange),
    Tool("propose_social_post", ProposalKind.SOCIAL_POST,
         "Propose a social post draft about in-stock catalog products.", SocialPost),
)  # fmt: skip
TOOLS_BY_NAME = {tool.name: tool for tool in TOOLS}


class ToolInputInvalid(ValueError):
    """A tool call Claude made does not fit any tool's schema."""


def tool_definitions() -> list[dict[str, Any]]:
    """Return every tool as the Messages API takes them."""
    return [tool.definition() for tool in TOOLS]


def tool_input_parse(name: str, raw: object) -> tuple[Tool, ToolInput]:
    """Parse one tool call strictly; raise ToolInputInvalid naming what is wrong."""
    tool = TOOLS_BY_NAME.get(name)
    if tool is None:
        raise ToolInputInvalid(f"no tool named {name[:60]!r}")
    if not isinstance(raw, dict):
        raise ToolInputInvalid("the input is not an object")
    try:
        return tool, tool.model.model_validate(_json_ready(raw), strict=True)
    except ValidationError as error:
        raise ToolInputInvalid(_summary(error)) from None


def _json_ready(raw: dict[str, Any]) -> dict[str, Any]:
    """Parse a date-time text the way JSON mode would; strict Python mode refuses text."""
    value = raw.get("suggested_time")
    if isinstance(value, str):
        try:
            return dict(raw, suggested_time=datetime.fromisoformat(value))
        except ValueError:
            return raw
    return raw


def _summary(error: ValidationError) -> str:
    """Name the fields and problems, never the values (they are Claude's text)."""
    parts = [
        f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['type']}" for e in error.errors()
    ]
    return "; ".join(parts)


def _without_titles(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_titles(v) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [_without_titles(v) for v in schema]
    return schema
