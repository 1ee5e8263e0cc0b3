"""Meta sync against the sandbox: the stored data is the brand's, exactly, and only once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum

from integrations.connections import connection_sync
from integrations.models import AdSet, Campaign, CampaignDay, Connection, SocialPost, SyncRun
from sandbox.brand.meta import MetaAccount
from tests.integrations.meta.conftest import Graph, connect_key

pytestmark = pytest.mark.django_db


def sync(connection: Connection, *streams: str, full: bool = False) -> list[SyncRun]:
    runs = connection_sync(connection_id=connection.pk, streams=list(streams), full=full)
    assert [r.status for r in runs] == ["succeeded"] * len(streams), [r.error for r in runs]
    return runs


def assert_days_match_truth(graph: Graph, account: MetaAccount) -> None:
    since, until = graph.window(account)
    truth = graph.brand.insights_truth(account, since, until)
    days = CampaignDay.objects.filter(campaign__ad_account__external_id=account.act_id)
    sums = days.aggregate(
        i=Sum("impressions"), c=Sum("clicks"), s=Sum("spend_micros"), p=Sum("conversions"),
        v=Sum("conversion_value_micros"),
    )  # fmt: skip
    unit = 1_000_000 if account.currency == "JPY" else 10_000  # micros per minor unit
    assert days.count() == truth.rows
    assert sums["i"] == truth.impressions
    assert sums["c"] == truth.clicks
    assert sums["s"] == truth.spend_minor * unit
    assert sums["p"] == Decimal(truth.purchases)
    assert sums["v"] == truth.value_minor * unit


def test_campaigns_and_ad_sets_match_the_brand(graph: Graph, key_connection: Connection):
    sync(key_connection, "campaigns")
    brand_campaigns = graph.brand.campaigns_of(graph.usd)
    assert Campaign.objects.count() == len(brand_campaigns)
    first = brand_campaigns[0]
    stored = Campaign.objects.get(external_id=first.campaign_id)
    assert stored.daily_budget == first.daily_budget
    assert stored.currency == "USD"
    assert stored.objective == first.objective
    expected_sets = sum(len(graph.brand.ad_sets(c)) for c in brand_campaigns)
    assert AdSet.objects.count() == expected_sets
    assert "ages" in AdSet.objects.first().targeting_summary  # type: ignore[union-attr]


def test_a_full_insights_sync_stores_the_brands_totals_and_a_rerun_changes_nothing(
    graph: Graph, key_connection: Connection
):
    sync(key_connection, "campaigns", "insights")
    assert_days_match_truth(graph, graph.usd)
    rerun = sync(key_connection, "campaigns", "insights")
    assert [(r.rows_inserted, r.rows_updated) for r in rerun] == [(0, 0), (0, 0)]


def test_late_conversions_land_on_recent_days_and_old_days_stay(
    graph: Graph, key_connection: Connection
):
    sync(key_connection, "campaigns", "insights")
    today = graph.brand.local_today(graph.usd)
    old = CampaignDay.objects.filter(day__lt=today - timedelta(days=40))
    old_rows = list(old.values_list("pk", "conversions", "synced_at"))
    recent = CampaignDay.objects.filter(day__gte=today - timedelta(days=5))
    before = recent.aggregate(p=Sum("conversions"))["p"]
    graph.brand.advance(timedelta(days=3))
    (run,) = sync(key_connection, "insights")
    assert run.rows_updated > 0
    assert recent.aggregate(p=Sum("conversions"))["p"] > before
    assert list(old.values_list("pk", "conversions", "synced_at")) == old_rows
    assert_days_match_truth(graph, graph.usd)


def test_only_days_inside_the_re_read_window_are_settling(graph: Graph, key_connection: Connection):
    sync(key_connection, "campaigns", "insights")
    graph.brand.advance(timedelta(days=2))
    sync(key_connection, "insights")
    cutoff = graph.brand.local_today(graph.usd) - timedelta(days=27)
    assert not CampaignDay.objects.filter(day__lt=cutoff, settling=True).exists()
    assert not CampaignDay.objects.filter(day__gte=cutoff, settling=False).exists()
    assert CampaignDay.objects.filter(settling=True).exists()


def test_a_yen_account_keeps_budgets_and_spend_in_whole_yen(graph: Graph, db: None):
    yen = graph.brand.accounts[1]
    connection = connect_key(yen.act_id)
    sync(connection, "campaigns", "insights")
    campaign = graph.brand.campaigns_of(yen)[0]
    stored = Campaign.objects.get(external_id=campaign.campaign_id)
    assert stored.currency == "JPY"
    assert stored.daily_budget == campaign.daily_budget
    assert_days_match_truth(graph, yen)


def test_page_posts_and_instagram_media_arrive_with_insights(
    graph: Graph, key_connection: Connection
):
    sync(key_connection, "page_posts", "instagram_media")
    assert SocialPost.objects.filter(channel="facebook").count() == len(graph.brand.page_posts())
    assert SocialPost.objects.filter(channel="instagram").count() == len(graph.brand.ig_media())
    assert SocialPost.objects.filter(reach__gt=0).count() == SocialPost.objects.count()
    rerun = sync(key_connection, "page_posts", "instagram_media")
    assert [r.rows_inserted for r in rerun] == [0, 0]
