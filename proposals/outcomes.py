"""Measure what a change did: the target's metrics over equal windows before and after it.

At +7 and +14 days the window of that many days before the change day is compared with the
same number of days after it (the change day itself is left out: it is half one, half the
other). Campaigns are measured on CampaignDay, pages on SearchDay.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum
from django.utils import timezone

from integrations.models import CampaignDay, SearchDay
from proposals.models import Outcome, Proposal

HORIZONS = (7, 14)
# The metric that says whether a change helped, by target type (higher is better for both).
KEY_METRIC = {"campaign": "conversions", "page": "clicks"}


def outcomes_schedule(*, proposal: Proposal, changed_at: datetime) -> list[Outcome]:
    """Create the +7 and +14 day outcome checks of a change made at `changed_at`."""
    changed_on = changed_at.date()
    return [
        Outcome.objects.get_or_create(
            proposal=proposal,
            horizon_days=days,
            defaults={"changed_on": changed_on, "due_at": changed_at + timedelta(days=days + 1)},
        )[0]
        for days in HORIZONS
    ]


def outcomes_measure(*, now: datetime | None = None) -> int:
    """Measure every outcome that is due and not yet measured; return how many."""
    now = now or timezone.now()
    due = Outcome.objects.filter(measured_at__isnull=True, due_at__lte=now).select_related(
        "proposal"
    )
    count = 0
    for outcome in due:
        outcome_measure(outcome=outcome, now=now)
        count += 1
    return count


def outcome_measure(*, outcome: Outcome, now: datetime) -> Outcome:
    """Fill in one outcome's before, after and delta."""
    days = outcome.horizon_days
    before_start = outcome.changed_on - timedelta(days=days)
    after_start = outcome.changed_on + timedelta(days=1)
    outcome.before = _window(outcome.proposal, before_start, days)
    outcome.after = _window(outcome.proposal, after_start, days)
    outcome.delta = _delta(outcome.before, outcome.after)
    outcome.measured_at = now
    outcome.save(update_fields=["before", "after", "delta", "measured_at"])
    return outcome


def _window(proposal: Proposal, start: date, days: int) -> dict[str, Any]:
    end = start + timedelta(days=days - 1)
    window = {"start": start.isoformat(), "end": end.isoformat()}
    if proposal.campaign_id is not None:
        return window | _campaign_metrics(proposal.campaign_id, start, end)
    return window | _page_metrics(proposal.page_url, start, end)


def _campaign_metrics(campaign_id: int, start: date, end: date) -> dict[str, Any]:
    totals = CampaignDay.objects.filter(
        campaign_id=campaign_id, day__gte=start, day__lte=end
    ).aggregate(
        impressions=Sum("impressions"),
        clicks=Sum("clicks"),
        spend_micros=Sum("spend_micros"),
        conversions=Sum("conversions"),
        conversion_value_micros=Sum("conversion_value_micros"),
    )
    return {name: str(value or 0) for name, value in totals.items()}


def _page_metrics(url: str, start: date, end: date) -> dict[str, Any]:
    totals = SearchDay.objects.filter(page=url, day__gte=start, day__lte=end).aggregate(
        total_clicks=Sum("clicks"),
        total_impressions=Sum("impressions"),
        weighted_position=Sum(F("position") * F("impressions")),
    )
    impressions = totals["total_impressions"] or 0
    position = (totals["weighted_position"] or 0) / impressions if impressions else 0
    return {
        "clicks": str(totals["total_clicks"] or 0),
        "impressions": str(impressions),
        "position": f"{position:.2f}",
    }


def _delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Return after minus before, and the change in percent, for every metric."""
    found: dict[str, Any] = {}
    for name, old in before.items():
        if name in ("start", "end"):
            continue
        was, now = Decimal(old), Decimal(after.get(name, "0"))
        pct = None if was == 0 else f"{(now - was) * 100 / was:.1f}"
        found[name] = {"change": str(now - was), "pct": pct}
    return found


def key_change_pct(outcome: Outcome) -> Decimal | None:
    """Return the percent change of the outcome's key metric, if it could be measured."""
    metric = KEY_METRIC["campaign" if outcome.proposal.campaign_id else "page"]
    pct = outcome.delta.get(metric, {}).get("pct")
    return None if pct is None else Decimal(pct)
