"""Every metric and operator on hand-computed days; windows end yesterday, account-local."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from integrations.models import Campaign
from proposals.rules.engine import CampaignResult, rule_dry_run
from tests.proposals.rules.factories import NOW, campaign_make, cond, day_add, rule_make

# (metric, window, counts settling days, value worked out by hand from the gear_clock days)
EXPECTED = [
    ("spend", 7, False, Decimal("200")),
    ("impressions", 7, False, Decimal(4000)),
    ("clicks", 7, False, Decimal(100)),
    ("ctr", 7, False, Decimal("2.5")),  # 100 / 4000, in percent
    ("cpc", 7, False, Decimal("2")),  # 200.00 / 100
    ("conversions", 7, False, Decimal(1)),  # only 03-07 is settled
    ("conversion_value", 7, False, Decimal("50")),
    ("cpa", 7, False, Decimal("40")),  # settled spend 40.00 / 1
    ("roas", 7, False, Decimal("1.25")),  # 50.00 / 40.00
    ("conversions", 7, True, Decimal(4)),
    ("conversion_value", 7, True, Decimal("440")),
    ("cpa", 7, True, Decimal("50")),  # 200.00 / 4
    ("roas", 7, True, Decimal("2.2")),  # 440.00 / 200.00
    ("spend", 14, False, Decimal("400")),
    ("clicks", 14, False, Decimal(200)),
    ("cpa", 14, False, Decimal("60")),  # (40 + 200) / (1 + 3)
    ("roas", 14, False, Decimal(550) / Decimal(240)),
]


def measured(
    campaign: Campaign, *conditions: dict[str, Any], now: datetime = NOW, **fields: Any
) -> CampaignResult:
    rule = rule_make(conditions=list(conditions), **fields)
    report = rule_dry_run(rule=rule, now=now)
    return {r.campaign.pk: r for r in report.results}[campaign.pk]


@pytest.mark.parametrize(("metric", "window", "settling", "expected"), EXPECTED)
def test_each_metric_is_computed_from_the_window_by_hand(
    gear_clock, metric, window, settling, expected
):
    result = measured(gear_clock, cond(metric, window, "gt", "0"), include_settling=settling)
    assert result.match.measured[0].value == expected


def test_settling_days_are_left_out_of_conversion_metrics_only(gear_clock):
    result = measured(gear_clock, cond("cpa", 7, "gt", "0"), cond("spend", 7, "gt", "0"))
    cpa, spend = result.match.measured
    assert (cpa.days_counted, cpa.settling_left_out) == (1, 2)
    assert (spend.days_counted, spend.settling_left_out) == (3, 0)


@pytest.mark.parametrize(
    ("op", "threshold", "holds"),
    [
        ("gt", "200", False), ("gt", "199.99", True),
        ("gte", "200", True), ("gte", "200.01", False),
        ("lt", "200", False), ("lt", "200.01", True),
        ("lte", "200", True), ("lte", "199.99", False),
    ],
)  # fmt: skip
def test_each_operator_compares_spend_of_200_exactly(gear_clock, op, threshold, holds):
    result = measured(gear_clock, cond("spend", 7, op, threshold))
    assert result.match.measured[0].met is holds
    assert result.matched is holds


def test_conditions_combine_with_and(gear_clock):
    one_fails = measured(gear_clock, cond("spend", 7, "gt", "100"), cond("ctr", 7, "gt", "3"))
    assert [m.met for m in one_fails.match.measured] == [True, False]
    assert not one_fails.matched
    assert one_fails.draft is None
    both = measured(gear_clock, cond("spend", 7, "gt", "100"), cond("ctr", 7, "gt", "2"), name="b")
    assert both.matched
    assert both.draft is not None


def test_cost_with_no_results_is_unbounded_and_a_ratio_over_nothing_is_undefined(db):
    campaign = campaign_make("Spends, sells nothing")
    day_add(campaign, date(2026, 3, 9), impressions=0, clicks=0, spend="25.00")
    cpa = measured(campaign, cond("cpa", 7, "gt", "1000"))
    assert cpa.match.measured[0].value == Decimal("Infinity")
    assert cpa.matched
    ctr = measured(campaign, cond("ctr", 7, "lt", "1"), name="ctr")
    assert ctr.match.measured[0].value is None
    assert not ctr.matched


def test_windows_end_yesterday_in_each_accounts_own_time_zone(db):
    # 02:00 UTC on 03-10 is still 03-09 in New York, but already 03-10 in Tokyo.
    now = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    new_york = campaign_make("New York")
    tokyo = campaign_make("Tokyo", time_zone="Asia/Tokyo")
    for campaign in (new_york, tokyo):
        day_add(campaign, date(2026, 3, 8), spend="10.00")
        day_add(campaign, date(2026, 3, 9), spend="5.00")
    assert measured(new_york, cond("spend", 1, "gt", "0"), now=now).match.end == date(2026, 3, 8)
    rule_spend = measured(tokyo, cond("spend", 1, "gt", "0"), now=now, name="tokyo")
    assert rule_spend.match.end == date(2026, 3, 9)
    assert rule_spend.match.measured[0].value == Decimal("5")


def test_the_daily_series_covers_every_day_of_the_window(gear_clock):
    result = measured(gear_clock, cond("spend", 7, "gt", "0"))
    series = result.match.measured[0].series
    assert next(d for d, _ in series) == date(2026, 3, 3)
    assert len(series) == 7
    assert dict(series)[date(2026, 3, 9)] == Decimal("100")
    assert dict(series)[date(2026, 3, 4)] is None
