"""Syncing Google Ads against the sandbox: ground truth, re-runs, late conversions, settling."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum

from integrations.connections import connection_connect, connection_sync
from integrations.models import Campaign, CampaignDay, Connection, SearchTermDay
from integrations.providers import registry
from tests.integrations.google_ads.conftest import Ads

pytestmark = pytest.mark.django_db


def connect(ads: Ads) -> Connection:
    token = ads.google.issue_refresh_token()
    grant = registry.get("google_ads").connect_with_key(api_key=token, account="")
    return connection_connect(provider="google_ads", grant=grant, actor="test")


def test_a_sync_matches_the_ground_truth_and_a_rerun_writes_nothing(ads: Ads):
    connection = connect(ads)
    runs = connection_sync(connection_id=connection.pk, trigger="test")
    assert [r.status for r in runs] == ["succeeded"] * 3
    brand = ads.platform.brand
    truth = brand.truth(brand.first_day, brand.last_day)
    days = CampaignDay.objects.filter(day__gte=brand.first_day)
    sums = days.aggregate(Sum("impressions"), Sum("clicks"), Sum("spend_micros"),
                          Sum("conversions"))  # fmt: skip
    assert days.count() == truth.rows
    assert sums["impressions__sum"] == truth.impressions
    assert sums["clicks__sum"] == truth.clicks
    assert sums["spend_micros__sum"] == truth.cost_micros
    assert sums["conversions__sum"] == truth.conversions
    assert SearchTermDay.objects.filter(day__gte=brand.first_day).count() == truth.term_rows
    assert Campaign.objects.count() == len(brand.campaigns)
    again = connection_sync(connection_id=connection.pk, trigger="test")
    assert sum(r.rows_inserted + r.rows_updated for r in again) == 0


def test_budgets_are_stored_in_cents(ads: Ads):
    connect(ads)
    connection_sync(connection_id=Connection.objects.get().pk, streams=["campaigns"])
    first = ads.platform.brand.campaigns[0]
    stored = Campaign.objects.get(external_id=str(first.id))
    assert stored.daily_budget == first.budget_micros // 10_000
    assert stored.budget_external_id == str(first.budget_id)


def test_late_conversions_update_days_inside_the_window_only(ads: Ads):
    connection = connect(ads)
    connection_sync(connection_id=connection.pk, streams=["metrics"])
    before = dict(CampaignDay.objects.values_list("pk", "conversions"))
    ads.platform.advance(5)
    connection_sync(connection_id=connection.pk, streams=["metrics"])
    brand = ads.platform.brand
    today = brand.anchor  # the app's today is the real today; the sandbox moved on
    changed = [d for d in CampaignDay.objects.all() if before.get(d.pk) != d.conversions]
    assert changed
    assert all(d.day >= today - timedelta(days=31) for d in changed)
    for day in changed[:20]:
        campaign = brand.campaign(int(day.campaign.external_id))
        assert campaign is not None
        source = brand.day(campaign, day.day)
        assert source is not None
        assert day.conversions == Decimal(source.conversions_hundredths) / 100


def test_days_past_the_window_are_settled(ads: Ads):
    connection = connect(ads)
    connection_sync(connection_id=connection.pk, streams=["metrics"])
    anchor = ads.platform.brand.anchor  # UTC today; the account's today may be a day behind
    assert not CampaignDay.objects.filter(day__lt=anchor - timedelta(days=31), settling=True)
    assert CampaignDay.objects.filter(day__gte=anchor - timedelta(days=29), settling=True)
    assert all(d.settling for d in CampaignDay.objects.filter(day__gte=anchor - timedelta(days=29)))
