"""Ad selectors against hand-built campaign days, every figure computed by hand."""

from datetime import date
from decimal import Decimal

import pytest

from dashboards.ranges import DateRange
from dashboards.rollups.ads import ads_rollups_refresh
from dashboards.selectors.ads import (
    ad_spend,
    ad_totals,
    ads_by_campaign,
    ads_by_day,
    ads_by_platform,
)
from integrations.models import AdAccount, Campaign, CampaignDay, Connection

pytestmark = pytest.mark.django_db

DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2)
PERIOD = DateRange(DAY1, DAY2)


def make_campaign(platform, external_id, currency, *, budget=None, status="ACTIVE"):
    connection, _ = Connection.objects.get_or_create(
        provider=platform, external_account_id=f"acct-{platform}", display_name=platform
    )
    account, _ = AdAccount.objects.get_or_create(
        platform=platform,
        external_id=f"{platform}-{currency}",
        defaults={"connection": connection, "name": currency, "currency": currency,
                  "time_zone": "UTC"},
    )  # fmt: skip
    return Campaign.objects.create(
        ad_account=account, platform=platform, external_id=external_id, name=external_id,
        status=status, daily_budget=budget, currency=currency,
    )  # fmt: skip


def add_day(campaign, day, impressions, clicks, spend, conversions, value, *, settling=False):
    CampaignDay.objects.create(
        campaign=campaign, day=day, impressions=impressions, clicks=clicks,
        spend_micros=spend, conversions=Decimal(conversions), conversion_value_micros=value,
        settling=settling,
    )  # fmt: skip


@pytest.fixture
def brand():
    """Meta USD (A), Google USD (B) and Meta JPY (C), with a day outside the period."""
    a = make_campaign("meta", "A", "USD", budget=5000)
    b = make_campaign("google_ads", "B", "USD", budget=2500, status="PAUSED")
    c = make_campaign("meta", "C", "JPY", budget=3000)
    add_day(a, date(2026, 2, 28), 9999, 999, 99_000_000, 9, 99_000_000)  # before the period
    add_day(a, DAY1, 1000, 50, 25_000_000, 2, 100_000_000)
    add_day(a, DAY2, 1000, 30, 15_000_000, 1, 20_000_000, settling=True)
    add_day(b, DAY1, 2000, 40, 20_000_000, 0, 0)
    add_day(b, DAY2, 0, 0, 0, 0, 0, settling=True)
    add_day(c, DAY1, 500, 10, 3_000_000_000, 1, 9_000_000_000, settling=True)
    ads_rollups_refresh()  # as every ads sync does
    return a, b, c


def test_totals_are_kept_apart_by_currency(brand):
    totals = {row.currency: row for row in ad_totals(PERIOD)}
    assert set(totals) == {"USD", "JPY"}
    usd = totals["USD"]
    assert (usd.impressions, usd.clicks) == (4000, 120)
    assert usd.spend == Decimal(60)  # 25 + 15 + 20
    assert usd.conversion_value == Decimal(120)  # 100 + 20
    assert usd.ctr == Decimal("0.03")  # 120 / 4000
    assert usd.cpc == Decimal("0.5")  # 60 / 120
    assert usd.cpa == Decimal(20)  # 60 / 3
    assert usd.roas == Decimal(2)  # 120 / 60
    jpy = totals["JPY"]
    assert jpy.spend == Decimal(3000)
    assert (jpy.ctr, jpy.cpc, jpy.cpa, jpy.roas) == (
        Decimal("0.02"), Decimal(300), Decimal(3000), Decimal(3),
    )  # fmt: skip


def test_settling_days_count_distinct_days_per_currency(brand):
    totals = {row.currency: row for row in ad_totals(PERIOD)}
    assert totals["USD"].settling_days == 1  # A and B both settle on DAY2: one day
    assert totals["JPY"].settling_days == 1


def test_platform_rows_split_meta_by_currency(brand):
    rows = {(row.platform, row.currency): row for row in ads_by_platform(PERIOD)}
    assert set(rows) == {("meta", "USD"), ("google_ads", "USD"), ("meta", "JPY")}
    meta = rows[("meta", "USD")]
    assert meta.ctr == Decimal("0.04")  # 80 / 2000
    assert meta.cpa == Decimal(40) / Decimal(3)
    assert meta.roas == Decimal(3)  # 120 / 40
    google = rows[("google_ads", "USD")]
    assert google.cpa is None  # no conversions: no cost per one
    assert google.roas == Decimal(0)
    assert google.settling_days == 1


def test_campaign_rows_carry_status_and_budget(brand):
    rows = {row.name: row for row in ads_by_campaign(PERIOD)}
    assert rows["B"].status == "PAUSED"
    assert rows["B"].daily_budget_minor == 2500
    assert rows["C"].currency == "JPY"
    assert rows["A"].spend == Decimal(40)
    assert rows["A"].settling_days == 1


def test_day_rows_are_per_day_and_currency(brand):
    rows = [(row.day, row.currency, row.spend, row.settling_days) for row in ads_by_day(PERIOD)]
    assert sorted(rows) == sorted([
        (DAY1, "JPY", Decimal(3000), 1),
        (DAY1, "USD", Decimal(45), 0),
        (DAY2, "USD", Decimal(15), 1),
    ])  # fmt: skip


def test_a_period_without_rows_has_no_totals(brand):
    assert ad_totals(DateRange(date(2025, 1, 1), date(2025, 1, 2))) == []


def test_ad_spend_still_sums_the_period(brand):
    assert ad_spend(DateRange(DAY1, DAY1)) == Decimal(3045)  # the overview's own sum
