"""Measure a campaign's metrics over the last N complete account-local days.

A window of N days ends yesterday in the ad account's time zone (today is not over yet).
Days still settling (late conversions may still arrive) are left out of conversion-based
metrics unless the rule counts them; delivery metrics (spend, clicks, ...) use every day.
Money is computed from micros with Decimal: values are exact major units.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from integrations.models import Campaign, CampaignDay
from proposals.rules.spec import Condition, Metric, MinData

MICROS = Decimal(1_000_000)
INFINITY = Decimal("Infinity")


@dataclass(frozen=True)
class DayRow:
    """One campaign-day, as the rules read it."""

    day: date
    impressions: int = 0
    clicks: int = 0
    spend_micros: int = 0
    conversions: Decimal = Decimal(0)
    conversion_value_micros: int = 0
    settling: bool = False
    attribution: str = ""


@dataclass(frozen=True)
class Measured:
    """A condition measured on one campaign: its value, whether it holds, and on what days."""

    condition: Condition
    value: Decimal | None
    met: bool
    days_counted: int
    settling_left_out: int
    series: tuple[tuple[date, Decimal | None], ...]


def window_end(campaign: Campaign, now: datetime) -> date:
    """Return the last complete day in the campaign's account time zone (yesterday there)."""
    zone = ZoneInfo(campaign.ad_account.time_zone or "UTC")
    return now.astimezone(zone).date() - timedelta(days=1)


def window_start(end: date, days: int) -> date:
    """Return the first day of a window of `days` days ending on `end`."""
    return end - timedelta(days=days - 1)


def campaign_days(campaign: Campaign, *, start: date, end: date) -> list[DayRow]:
    """Read the campaign's days from `start` to `end`, oldest first."""
    rows = CampaignDay.objects.filter(campaign=campaign, day__gte=start, day__lte=end)
    return [
        DayRow(
            day=r.day, impressions=r.impressions, clicks=r.clicks, spend_micros=r.spend_micros,
            conversions=r.conversions, conversion_value_micros=r.conversion_value_micros,
            settling=r.settling, attribution=r.attribution_setting,
        )
        for r in rows.order_by("day")
    ]  # fmt: skip


def metric_value(metric: Metric, rows: Sequence[DayRow]) -> Decimal | None:
    """Return the metric over the rows; None where it is undefined (nothing to divide by)."""
    spend = Decimal(sum(r.spend_micros for r in rows)) / MICROS
    value = Decimal(sum(r.conversion_value_micros for r in rows)) / MICROS
    impressions, clicks = sum(r.impressions for r in rows), sum(r.clicks for r in rows)
    conversions = sum((r.conversions for r in rows), Decimal(0))
    sums = {
        Metric.SPEND: spend, Metric.IMPRESSIONS: Decimal(impressions),
        Metric.CLICKS: Decimal(clicks), Metric.CONVERSIONS: conversions,
        Metric.CONVERSION_VALUE: value,
    }  # fmt: skip
    if metric in sums:
        return sums[metric]
    if metric is Metric.CTR:
        return _ratio(Decimal(clicks) * 100, Decimal(impressions), cost=False)
    if metric is Metric.CPC:
        return _ratio(spend, Decimal(clicks), cost=True)
    if metric is Metric.CPA:
        return _ratio(spend, conversions, cost=True)
    return _ratio(value, spend, cost=False)


def _ratio(top: Decimal, bottom: Decimal, *, cost: bool) -> Decimal | None:
    """Divide; money spent on nothing is an infinite cost, anything else over zero is undefined."""
    if bottom:
        return top / bottom
    return INFINITY if cost and top > 0 else None


def condition_measure(
    condition: Condition, rows: Sequence[DayRow], *, end: date, include_settling: bool
) -> Measured:
    """Measure one condition on a campaign's rows (which may span a longer window)."""
    start = window_start(end, condition.window_days)
    in_window = [r for r in rows if start <= r.day <= end]
    drop_settling = condition.metric.uses_conversions and not include_settling
    counted = [r for r in in_window if not (drop_settling and r.settling)]
    value = metric_value(condition.metric, counted)
    met = value is not None and condition.op.holds(value, condition.threshold)
    return Measured(
        condition=condition, value=value, met=met, days_counted=len(counted),
        settling_left_out=len(in_window) - len(counted),
        series=_series(condition.metric, counted, start=start, end=end),
    )  # fmt: skip


def _series(
    metric: Metric, rows: Sequence[DayRow], *, start: date, end: date
) -> tuple[tuple[date, Decimal | None], ...]:
    """Return the metric day by day; None for a day with no row or left out."""
    by_day = {r.day: r for r in rows}
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return tuple((d, metric_value(metric, [by_day[d]]) if d in by_day else None) for d in days)


def min_data_shortfall(min_data: MinData, rows: Sequence[DayRow]) -> str:
    """Say what data is missing before the rule may act; empty when there is enough."""
    days, clicks = len(rows), sum(r.clicks for r in rows)
    if days >= min_data.days and clicks >= min_data.clicks:
        return ""
    return (
        f"Not enough data: {days} days and {clicks} clicks "
        f"(the rule needs {min_data.days} days and {min_data.clicks} clicks)."
    )


def attribution_of(rows: Sequence[DayRow]) -> str:
    """Return the attribution setting(s) the rows were reported under."""
    settings = sorted({r.attribution for r in rows if r.attribution})
    return ", ".join(settings) or "not reported"
