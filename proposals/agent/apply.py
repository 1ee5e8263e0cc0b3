"""Turn Claude's tool calls into proposals, through proposal_create and nothing else.

A tool call becomes a proposal only if its input fits the tool's strict schema and its
target exists (a synced, live campaign; a page we know; catalog products). Everything else
is rejected with a reason kept on the AI call. proposal_create runs every guardrail, so a
well-formed call that breaks one is stored as blocked, never approvable. The current value
is the synced Campaign row's, read now.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Sum

from catalog.models import Product, ProductPage
from integrations.models import Campaign, CampaignDay, SearchDay
from proposals.agent.context import AgentContext
from proposals.agent.tools import (
    BudgetChange,
    PageContentChange,
    Pause,
    Resume,
    SocialPost,
    ToolInput,
    ToolInputInvalid,
    tool_input_parse,
)
from proposals.creation import ProposalInvalid, proposal_create
from proposals.models import AICall, Proposal, ProposalKind, ProposalSource, ProposalStatus

JSON = dict[str, Any]
OPEN_STATUSES = (ProposalStatus.PENDING, ProposalStatus.APPROVED, ProposalStatus.EXECUTING)
CHART_DAYS = 28
ASSUMPTIONS = {
    "attribution_window": "as each platform reports it (Meta 7-day click or 1-day view; "
    "Google Ads conversion window)",
    "settling_days_left_out": 0,
}


class TargetRefused(ValueError):
    """The tool call names a target we do not have, or one that cannot take this change."""


@dataclass
class Outcome:
    """What came of one call's tool calls."""

    proposals: list[Proposal] = field(default_factory=list)
    rejections: list[JSON] = field(default_factory=list)


def proposals_from_tool_calls(
    *, call: AICall, tool_calls: list[JSON], context: AgentContext
) -> Outcome:
    """Create a proposal for each acceptable tool call; reject the rest with a reason."""
    outcome = Outcome()
    for use in tool_calls:
        name = str(use.get("name", ""))[:60]
        try:
            _, data = tool_input_parse(name, use.get("input"))
            outcome.proposals.append(_propose(data, call, context))
        except (ToolInputInvalid, TargetRefused, ProposalInvalid) as error:
            outcome.rejections.append(
                {"tool_use_id": str(use.get("id", ""))[:60], "name": name, "reason": str(error)}
            )
    return outcome


def _propose(data: ToolInput, call: AICall, context: AgentContext) -> Proposal:
    common: JSON = {
        "source": ProposalSource.AI,
        "ai_call": call,
        "rationale": data.rationale,
        "expected_impact": data.expected_impact,
        "confidence": data.confidence,
        "assumptions": ASSUMPTIONS,
    }
    if isinstance(data, BudgetChange):
        return _budget(data, common, context)
    if isinstance(data, Pause | Resume):
        return _status_change(data, common, context)
    if isinstance(data, PageContentChange):
        return _page_change(data, common, context)
    if isinstance(data, SocialPost):
        return _social_post(data, common)
    raise ToolInputInvalid(f"no proposal for {type(data).__name__}")  # pragma: no cover


def _campaign(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.exclude(status="REMOVED").filter(pk=campaign_id).first()
    if campaign is None:
        raise TargetRefused(f"no live campaign with id {campaign_id}")
    if Proposal.objects.filter(campaign=campaign, status__in=OPEN_STATUSES).exists():
        raise TargetRefused(f"campaign {campaign_id} already has an open proposal")
    return campaign


def _budget(data: BudgetChange, common: JSON, context: AgentContext) -> Proposal:
    campaign = _campaign(data.campaign_id)
    if not campaign.daily_budget:
        raise TargetRefused(f"campaign {campaign.pk} has no daily budget to change")
    return proposal_create(
        kind=ProposalKind.BUDGET, field="daily_budget", campaign=campaign,
        current_value=campaign.daily_budget, proposed_value=data.new_daily_budget_minor,
        evidence=campaign_evidence(campaign, context), **common,
    )  # fmt: skip


def _status_change(data: Pause | Resume, common: JSON, context: AgentContext) -> Proposal:
    campaign = _campaign(data.campaign_id)
    kind, wanted, before = (
        (ProposalKind.PAUSE, "PAUSED", "ACTIVE")
        if isinstance(data, Pause)
        else (ProposalKind.RESUME, "ACTIVE", "PAUSED")
    )
    if campaign.status != before:
        raise TargetRefused(f"campaign {campaign.pk} is {campaign.status}, not {before}")
    return proposal_create(
        kind=kind, field="status", campaign=campaign, current_value=campaign.status,
        proposed_value=wanted, evidence=campaign_evidence(campaign, context), **common,
    )  # fmt: skip


def campaign_evidence(campaign: Campaign, context: AgentContext) -> JSON:
    """Return the campaign's figures per window (as sent to Claude) and a 28-day chart."""
    sent = {c["id"]: c for c in context.sections.get("campaigns", [])}.get(campaign.pk, {})
    metrics = [
        {"name": name, "window_days": int(days), "value": window.get(name)}
        for days, window in (sent.get("windows") or {}).items()
        for name in ("spend_minor", "conversions", "roas", "cpa_minor")
    ]
    return {"metrics": metrics, "currency": campaign.currency, "chart": _campaign_chart(campaign)}


def _campaign_chart(campaign: Campaign) -> JSON:
    last = CampaignDay.objects.filter(campaign=campaign).order_by("-day").first()
    if last is None:
        return {"labels": [], "series": []}
    days = (
        CampaignDay.objects.filter(campaign=campaign, day__gt=last.day - timedelta(days=CHART_DAYS))
        .order_by("day")
        .values_list("day", "spend_micros", "conversion_value_micros")
    )
    return {
        "labels": [d.isoformat() for d, _, _ in days],
        "series": [
            {"name": "Spend (micros)", "data": [s for _, s, _ in days]},
            {"name": "Conversion value (micros)", "data": [v for _, _, v in days]},
        ],
    }


def _page_change(data: PageContentChange, common: JSON, context: AgentContext) -> Proposal:
    known = ProductPage.objects.filter(url=data.page_url).exists()
    if not known and not SearchDay.objects.filter(page=data.page_url).exists():
        raise TargetRefused("the page is neither in the catalog nor in search data")
    waiting = (*OPEN_STATUSES, ProposalStatus.TODO)
    if Proposal.objects.filter(page_url=data.page_url, field=data.field,
                               status__in=waiting).exists():  # fmt: skip
        raise TargetRefused(f"the page's {data.field} already has an open proposal")
    rows = [r for r in context.sections.get("search_opportunities", [])
            if r.get("page") == data.page_url]  # fmt: skip
    metrics = [
        {"name": name, "window_days": 28, "value": row[name], "query": row["query"]}
        for row in rows for name in ("impressions", "clicks", "position")
    ]  # fmt: skip
    return proposal_create(
        kind=ProposalKind.PAGE_CONTENT, field=data.field, page_url=data.page_url,
        current_value="", proposed_value=data.proposed_text, platform="squarespace",
        evidence={"metrics": metrics, "chart": _search_chart(data.page_url)}, **common,
    )  # fmt: skip


def _search_chart(page: str) -> JSON:
    rows = (
        SearchDay.objects.filter(page=page)
        .values("day")
        .annotate(clicks=Sum("clicks"), impressions=Sum("impressions"))
        .order_by("-day")[:CHART_DAYS]
    )
    ordered = sorted(rows, key=lambda r: r["day"])
    return {
        "labels": [r["day"].isoformat() for r in ordered],
        "series": [
            {"name": "Impressions", "data": [r["impressions"] for r in ordered]},
            {"name": "Clicks", "data": [r["clicks"] for r in ordered]},
        ],
    }


def _social_post(data: SocialPost, common: JSON) -> Proposal:
    products = list(Product.objects.active().filter(pk__in=data.product_ids).order_by("pk"))
    if len(products) != len(set(data.product_ids)):
        raise TargetRefused("a product id is not an active catalog product")
    if _post_waiting(channel=data.channel, product_ids=[p.pk for p in products]):
        raise TargetRefused("a post draft for these products is already waiting")
    names = ", ".join(p.name for p in products)
    proposed = {
        "caption": data.caption,
        "product_ids": [p.pk for p in products],
        "suggested_time": data.suggested_time.isoformat(),
    }
    return proposal_create(
        kind=ProposalKind.SOCIAL_POST, field="post", platform=data.channel,
        target_label=f"{data.channel.title()} post: {names}"[:300], current_value=None,
        proposed_value=proposed, evidence={"metrics": [], "products": names}, **common,
    )  # fmt: skip


def _post_waiting(*, channel: str, product_ids: list[int]) -> bool:
    """Say whether a post draft for the same products on the same channel awaits a decision."""
    waiting = Proposal.objects.filter(
        kind=ProposalKind.SOCIAL_POST, platform=channel, status=ProposalStatus.PENDING
    ).values_list("proposed_value", flat=True)
    return any(
        sorted(v.get("product_ids") or []) == product_ids for v in waiting if isinstance(v, dict)
    )
