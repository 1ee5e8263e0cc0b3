"""The rollups follow every change to orders and labels, and every page figure stays exact.

The brand is the overview's hand-built one (tests.dashboards.selectors.test_overview): each test
changes it the way a sync, a reconciliation run or an erasure would, refreshes, and checks the
figures against the same selectors computed by hand.
"""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from dashboards.models import AdDay, OrderFact, RollupState, SalesDay, SkuDay
from dashboards.rollups.ads import ads_rollups_refresh
from dashboards.rollups.orders import orders_rollups_refresh
from dashboards.rollups.triggers import refresh_after_erasure, refresh_after_sync
from dashboards.selectors import alerts
from dashboards.selectors.overview import (
    label_cost_by_order,
    margins,
    new_customers,
    repeat_customers,
)
from dashboards.selectors.sales import cohorts, returns_in, sales_totals, sku_sales
from integrations.models import Campaign, CampaignDay, Label, Order
from tests.dashboards.selectors.test_overview import (
    DAY1,
    DAY2,
    PERIOD,
    build_brand,
    label,
    line,
    order,
)
from tests.dashboards.selectors.test_sales import at
from tests.dashboards.selectors.test_sales import order as placed

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand() -> dict[int, Order]:
    return build_brand()


def test_a_refresh_with_nothing_changed_rebuilds_nothing(brand):
    again = orders_rollups_refresh()
    assert (again.full, again.orders, again.days) == (False, 0, 0)
    assert OrderFact.objects.count() == Order.objects.count()


def test_a_new_order_lands_on_its_day_with_its_lines(brand):
    late = order(1009, "f", DAY2, 3000)
    line(late, "G-1", 1, 3000)
    found = orders_rollups_refresh()
    assert (found.full, found.orders, found.days) == (False, 1, 1)
    assert sales_totals(PERIOD).revenue_minor == 38000 + 3000
    assert new_customers(PERIOD).customers == 3  # b, c and now f
    assert {s.sku: s.units for s in sku_sales(PERIOD)}["G-1"] == 1 + 3 + 1


def test_cancelling_a_first_order_moves_the_customer_to_their_next_order(brand):
    # b's first order 1003 (1 March) is cancelled: 1004 (2 March) becomes b's first, and b no
    # longer repeats; the day of every order of b is rebuilt.
    Order.objects.filter(order_number="1003").update(
        fulfillment_status="CANCELED", modified_on=timezone.now()
    )
    orders_rollups_refresh()
    assert new_customers(PERIOD).customers == 2  # b (1004) and c (1005)
    assert new_customers(PERIOD).revenue_minor == 6000 + 4000
    assert (repeat_customers(PERIOD).customers, repeat_customers(PERIOD).repeat) == (3, 1)
    day1 = SalesDay.objects.get(day=DAY1)
    assert (day1.orders, day1.canceled, day1.new_customers, day1.label_cost) == (1, 1, 0, 800)
    assert returns_in(PERIOD).canceled == 2  # 1003 and 1007


def test_an_erased_customer_stops_counting_as_one(brand):
    # An erasure blanks the email hash without touching modified_on.
    Order.objects.filter(email_hash="b").update(email_hash="")
    orders_rollups_refresh()
    assert new_customers(PERIOD).customers == 1  # only c is new now
    assert repeat_customers(PERIOD).customers == 2  # a and c
    assert not OrderFact.objects.filter(order__email_hash="", customer__isnull=False).exists()


def test_a_deleted_order_leaves_its_day(brand):
    brand[1005].delete()
    orders_rollups_refresh()
    assert not OrderFact.objects.filter(order_id=brand[1005].pk).exists()
    assert sales_totals(PERIOD).orders == 3
    assert "X-9" not in {s.sku for s in sku_sales(PERIOD)}


def test_label_costs_follow_reconciliation_links(brand):
    from reconciliation.models import LabelLink

    label = Label.objects.get(object_id="L4")  # $7, named by 1004's number
    LabelLink.objects.create(
        label=label, number="1005", order=brand[1005], kind="confirmed",
        object_state="VALID", status="SUCCESS", object_updated=timezone.now(),
    )  # fmt: skip
    orders_rollups_refresh()
    # Links now decide: only 1005 has a label; 1002, 1003 and 1004 lose theirs.
    days = {d.day: d for d in margins(PERIOD).by_day}
    assert (days[DAY1].labels, days[DAY2].labels) == (0, 700)
    assert SkuDay.objects.get(day=DAY2, sku="X-9").label_share == pytest.approx(700)


def test_a_new_time_zone_rebuilds_every_day():
    placed("1", at(DAY1, 2), 1000, email_hash="a")  # 2:00 in New York: 23:00 before, in LA
    orders_rollups_refresh()
    with override_settings(FLUX_BRAND_TIME_ZONE="America/Los_Angeles"):
        assert orders_rollups_refresh().full
        assert RollupState.objects.get().time_zone == "America/Los_Angeles"
        assert list(SalesDay.objects.values_list("day", flat=True)) == [DAY1 - timedelta(days=1)]


def test_cohorts_follow_a_customer_coming_back():
    order(1, "p", date(2026, 1, 10), 1000)
    orders_rollups_refresh()
    order(2, "p", date(2026, 1, 30), 500)  # 20 days later
    orders_rollups_refresh()
    jan = cohorts(PERIOD, today=date(2026, 12, 31))[-1]
    assert (jan.customers, jan.repeat[30], jan.first_revenue_minor, jan.revenue_minor) == (
        1, 1, 1000, 1500,
    )  # fmt: skip


def test_orders_and_shippo_syncs_queue_a_refresh_after_commit(
    brand, django_capture_on_commit_callbacks: Any
):
    order(1009, "f", DAY2, 3000)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refresh_after_sync("squarespace", ["orders"])
        refresh_after_sync("shippo", ["labels"])
        refresh_after_sync("meta", ["page_posts"])  # nothing the rollups sum: nothing queued
        refresh_after_sync("squarespace", ["inventory"])
    assert len(callbacks) == 2
    assert OrderFact.objects.filter(order__order_number="1009").exists()


def test_an_ads_sync_rebuilds_the_daily_ad_sums(brand, django_capture_on_commit_callbacks: Any):
    google = Campaign.objects.get(name="G")
    CampaignDay.objects.create(campaign=google, day=DAY2 + timedelta(days=1), spend_micros=7)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refresh_after_sync("google_ads", ["metrics"])
    assert len(callbacks) == 1
    assert AdDay.objects.get(day=DAY2 + timedelta(days=1)).spend_micros == 7
    assert AdDay.objects.get(day=DAY1, platform="meta").spend_micros == 60_000_000


def test_an_email_erasure_queues_a_refresh(django_capture_on_commit_callbacks: Any):
    with django_capture_on_commit_callbacks() as callbacks:
        assert refresh_after_erasure("hash", "meta_user_id") == 0
        assert refresh_after_erasure("hash", "email") == 0
    assert len(callbacks) == 1


def test_the_overview_counts_reconciliation_exceptions_as_of_the_last_refresh(brand):
    from reconciliation.models import OrderResult

    def result(number: int, bucket: str) -> None:
        OrderResult.objects.create(
            order=brand[number], bucket=bucket, flags=[bucket],
            order_modified=timezone.now(), evaluated_at=timezone.now(),
        )  # fmt: skip

    assert alerts.reconciliation_exceptions_refreshed() == 0  # counted now: nothing stored yet
    result(1003, "missing_in_shippo")
    result(1002, "matched")
    orders_rollups_refresh()  # as after every reconciliation run
    result(1004, "zip_mismatch")  # written by a run whose refresh has not happened yet
    assert alerts.reconciliation_exceptions_refreshed() == 1
    assert alerts.reconciliation_exceptions() == 2


def test_a_label_counts_from_two_days_before_its_orders_day_to_three_weeks_after(brand):
    # 1005 was placed on 2 March: its window runs from 28 February to the end of 23 March.
    label("L5-late", 300, metadata="#1005", day=DAY2 + timedelta(days=21))
    label("L5-too-late", 400, metadata="#1005", day=DAY2 + timedelta(days=22))
    label("L5-early", 50, metadata="#1005", day=DAY2 - timedelta(days=2))
    assert label_cost_by_order(PERIOD)[brand[1005].pk] == 300 + 50
    orders_rollups_refresh()
    assert SalesDay.objects.get(day=DAY2).label_cost == 700 + 300 + 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_rebuild_outside_a_transaction_vacuums_what_it_rebuilt():
    from django.db import connection

    ads_rollups_refresh()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = %s",
            [AdDay._meta.db_table],
        )
        assert cursor.fetchone() == (True,)
