"""Template filters for proposals: values in their unit, AI cost in dollars, status colours."""

from decimal import Decimal
from typing import Any

from django import template

from proposals.models import Proposal, ProposalKind

register = template.Library()

STATUS_CLASS = {
    "pending": "text-bg-primary",
    "blocked": "text-bg-danger",
    "approved": "text-bg-info",
    "rejected": "text-bg-secondary",
    "executing": "text-bg-warning",
    "executed": "text-bg-success",
    "succeeded": "text-bg-success",
    "failed": "text-bg-danger",
    "refused": "text-bg-danger",
    "stale": "text-bg-warning",
    "undone": "text-bg-secondary",
    "todo": "text-bg-info",
    "queued": "text-bg-light",
    "running": "text-bg-warning",
}


@register.filter
def status_class(status: str) -> str:
    """Return the badge class of a status."""
    return STATUS_CLASS.get(status, "text-bg-light")


@register.filter
def shown_value(value: Any, proposal: Proposal) -> str:
    """Return a proposal value as people read it (a budget in its currency)."""
    if value is None or value == "":
        return "—"
    if proposal.kind == ProposalKind.BUDGET and isinstance(value, int):
        return f"{Decimal(value) / 100:,.2f} {proposal.currency}/day"
    if isinstance(value, dict):
        return _post_summary(value)
    return str(value)


def _post_summary(post: dict[str, Any]) -> str:
    """Return a post draft as its caption (per channel when they differ), not as a dict."""
    captions = post.get("captions")
    if isinstance(captions, dict) and captions:
        texts = {str(text) for text in captions.values()}
        if len(texts) == 1:
            return texts.pop()
        return " / ".join(f"{channel}: {text}" for channel, text in captions.items())
    caption = post.get("caption")
    if isinstance(caption, str) and caption:
        return caption
    return ", ".join(f"{key_label(key)}: {item}" for key, item in post.items())


@register.filter
def micro_usd(value: int | None) -> str:
    """Return millionths of a dollar as dollars."""
    return f"${Decimal(value or 0) / 1_000_000:,.4f}"


@register.filter
def pct(value: Decimal | None) -> str:
    """Return a percentage with one decimal, or a dash."""
    return "—" if value is None else f"{value:.1f}%"


@register.filter
def key_label(name: str) -> str:
    """Return a snake_case key as words ("settling_days_left_out" -> "Settling days left out")."""
    return str(name).replace("_", " ").capitalize()
