"""Check a proposed change against the guardrails; expose the AI spend so far and its cap.

`guardrail_violations` returns the reasons a change may not go ahead (empty: it may). It is
called when a proposal is stored (a non-empty answer stores it as blocked, never approvable)
and again just before an execution writes, so limits that tightened in between still hold.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from catalog.models import ProductVariant
from flux.audit.actions import audit_record
from integrations.models import Campaign, CampaignDay, InventoryLevel
from proposals.models import (
    AICall,
    Execution,
    ExecutionStatus,
    Guardrails,
    ProposalKind,
)

# Days of metrics counted towards the click threshold of "minimum data before acting".
MIN_DATA_CLICK_WINDOW_DAYS = 28


@dataclass(frozen=True)
class Change:
    """A proposed change on a campaign, as the guardrails see it."""

    kind: str
    campaign: Campaign | None
    current_value: Any
    proposed_value: Any
    exclude_proposal_id: int | None = None


def guardrail_violations(
    *,
    kind: str,
    campaign: Campaign | None,
    current_value: Any,
    proposed_value: Any,
    exclude_proposal_id: int | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Return why this change breaks the guardrails; an empty list means it may go ahead."""
    if campaign is None or kind not in (
        ProposalKind.BUDGET,
        ProposalKind.PAUSE,
        ProposalKind.RESUME,
    ):
        return []
    rails = Guardrails.current()
    change = Change(kind, campaign, current_value, proposed_value, exclude_proposal_id)
    now = now or timezone.now()
    reasons = _protected(rails, campaign)
    reasons += _budget_limits(rails, change, now)
    reasons += _cooldown(rails, change, now)
    reasons += _min_data(rails, change, now)
    reasons += _inventory(rails, change)
    return reasons


def undo_violations(*, campaign: Campaign | None, kind: str, restore_value: Any) -> list[str]:
    """Return why restoring a prior value is refused: protection and the budget bounds only."""
    if campaign is None:
        return []
    rails = Guardrails.current()
    reasons = _protected(rails, campaign)
    if kind == ProposalKind.BUDGET:
        reasons += _bounds(rails, int(restore_value))
    return reasons


def _protected(rails: Guardrails, campaign: Campaign) -> list[str]:
    if rails.protected_campaigns.filter(pk=campaign.pk).exists():
        return [f"{campaign.name} is a protected campaign."]
    return []


def _budget_limits(rails: Guardrails, change: Change, now: datetime) -> list[str]:
    if change.kind != ProposalKind.BUDGET:
        return []
    current, proposed = int(change.current_value), int(change.proposed_value)
    reasons = _bounds(rails, proposed)
    if _pct(current, proposed) > rails.max_change_pct_per_action:
        reasons.append(
            f"A {_pct(current, proposed):.0f}% change is over the "
            f"{rails.max_change_pct_per_action}% limit per action."
        )
    baseline = _budget_24h_ago(change, now) or current
    if _pct(baseline, proposed) > rails.max_change_pct_per_day:
        reasons.append(
            f"With the last 24 hours' changes this is {_pct(baseline, proposed):.0f}%, over the "
            f"{rails.max_change_pct_per_day}% limit per 24 hours."
        )
    return reasons


def _bounds(rails: Guardrails, proposed: int) -> list[str]:
    if proposed < rails.min_daily_budget_minor:
        return [f"{proposed} is under the minimum daily budget of {rails.min_daily_budget_minor}."]
    if proposed > rails.max_daily_budget_minor:
        return [f"{proposed} is over the maximum daily budget of {rails.max_daily_budget_minor}."]
    return []


def _pct(before: int, after: int) -> float:
    if before <= 0:
        return 0.0 if after == before else float("inf")
    return abs(after - before) * 100.0 / before


def _recent_changes(change: Change, since: datetime) -> Any:
    """Return the campaign's executions that changed something since `since`."""
    found = Execution.objects.filter(
        proposal__campaign=change.campaign,
        status=ExecutionStatus.SUCCEEDED,
        finished_at__gte=since,
    )
    if change.exclude_proposal_id is not None:
        found = found.exclude(proposal_id=change.exclude_proposal_id)
    return found


def _budget_24h_ago(change: Change, now: datetime) -> int | None:
    """Return the budget before the first budget change of the last 24 hours, if any."""
    first = (
        _recent_changes(change, now - timedelta(hours=24))
        .filter(proposal__kind=ProposalKind.BUDGET)
        .order_by("finished_at")
        .first()
    )
    if first is None or first.expected_value is None:
        return None
    return int(first.expected_value)


def _cooldown(rails: Guardrails, change: Change, now: datetime) -> list[str]:
    since = now - timedelta(hours=rails.cooldown_hours)
    last = _recent_changes(change, since).order_by("-finished_at").first()
    if last is None or last.finished_at is None:
        return []
    ends = last.finished_at + timedelta(hours=rails.cooldown_hours)
    changed = f"{last.finished_at:%Y-%m-%d %H:%M}"
    return [f"The campaign changed at {changed} UTC; cooldown until {ends:%Y-%m-%d %H:%M} UTC."]


def _min_data(rails: Guardrails, change: Change, now: datetime) -> list[str]:
    if change.kind == ProposalKind.RESUME:
        return []  # a paused campaign gathers no data; resuming it needs none
    start = now.date() - timedelta(days=MIN_DATA_CLICK_WINDOW_DAYS)
    days = CampaignDay.objects.filter(campaign=change.campaign)
    totals = days.filter(day__gte=start).aggregate(clicks=Sum("clicks"))
    count = days.aggregate(n=Count("pk"))["n"]
    clicks = totals["clicks"] or 0
    if count < rails.min_data_days or clicks < rails.min_data_clicks:
        return [
            f"Not enough data: {count} days and {clicks} clicks in {MIN_DATA_CLICK_WINDOW_DAYS} "
            f"days (needs {rails.min_data_days} days and {rails.min_data_clicks} clicks)."
        ]
    return []


def _is_scale_up(change: Change) -> bool:
    if change.kind == ProposalKind.RESUME:
        return True
    return change.kind == ProposalKind.BUDGET and int(change.proposed_value) > int(
        change.current_value
    )


def _inventory(rails: Guardrails, change: Change) -> list[str]:
    if not _is_scale_up(change):
        return []
    skus = ProductVariant.objects.filter(product__campaign_links__campaign=change.campaign)
    low = InventoryLevel.objects.filter(
        sku__in=skus.values("sku"), is_unlimited=False, quantity__lte=rails.low_stock_units
    ).order_by("sku")
    names = sorted({level.sku for level in low})
    if names:
        return [f"No scale-up while stock is low or out: {', '.join(names)}."]
    return []


def ai_spend_this_month(now: datetime | None = None) -> int:
    """Return the AI cost of the current UTC month so far, in micro-dollars."""
    now = now or timezone.now()
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    total = AICall.objects.filter(started_at__gte=start).aggregate(s=Sum("cost_micro_usd"))["s"]
    return int(total or 0)


def ai_spend_cap() -> int:
    """Return the monthly AI spend cap, in micro-dollars."""
    return Guardrails.current().ai_monthly_cap_micro_usd


def ai_spend_cap_reached(now: datetime | None = None) -> bool:
    """Say whether no more AI calls may be made this month."""
    return ai_spend_this_month(now) >= ai_spend_cap()


def guardrails_update(*, rails: Guardrails, changes: dict[str, Any], user: Any) -> Guardrails:
    """Save new guardrail values and audit what changed, before and after."""
    # Read the stored row: a bound ModelForm has already copied its values onto `rails`.
    before = guardrails_snapshot(Guardrails.objects.get(pk=rails.pk))
    protected = changes.pop("protected_campaigns", None)
    for name, value in changes.items():
        setattr(rails, name, value)
    rails.updated_by = user
    with transaction.atomic():
        rails.save()
        if protected is not None:
            rails.protected_campaigns.set(protected)
        after = guardrails_snapshot(rails)
        changed = {k for k in after if after[k] != before[k]}
        audit_record(
            actor=user,
            action="guardrails.update",
            target=rails,
            before={k: before[k] for k in sorted(changed)},
            after={k: after[k] for k in sorted(changed)},
        )
    return rails


def guardrails_snapshot(rails: Guardrails) -> dict[str, Any]:
    """Return every guardrail value as plain JSON."""
    values: dict[str, Any] = {
        f.name: getattr(rails, f.name)
        for f in Guardrails._meta.concrete_fields
        if f.name not in ("id", "updated_by", "updated_at")
    }
    values["protected_campaigns"] = sorted(rails.protected_campaigns.values_list("pk", flat=True))
    return values
