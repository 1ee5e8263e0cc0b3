"""Overview selectors against a hand-built brand; every expected figure is worked out by hand.

The brand, over the period 1-2 March 2026 (brand-local days, America/New_York):
  order 1001  customer a  10 Feb   $50            (before the period)
  order 1002  customer a  1 Mar    $100           2 x W-1 at $50          label $8 (metadata)
  order 1003  customer b  1 Mar    $200 - $20 ref 1 x W-2 $120, 1 x G-1 $80 label $12 (Shippo order)
  order 1004  customer b  2 Mar    $60            3 x G-1 at $20          label $7 (metadata)
  order 1005  customer c  2 Mar    $40            1 x X-9 (not in catalog)
  order 1006  customer c  20 Mar   cancelled;  order 1007 customer d 2 Mar cancelled; a test order
Catalog: Widget (W-1 cost $15, W-2 override $25), Gadget (G-1 cost $10).
Ads: Meta campaign M (Widget) $60 + $40 (2 Mar settling), value $200 + $100;
     Google campaign G (Widget and Gadget) $50 + $50, value $0 + $150.
"""

import sys
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from catalog.models import Product, ProductCampaign, ProductVariant
from dashboards.ranges import DateRange
from dashboards.rollups import rollups_refresh
from dashboards.rollups.search import search_rollups_refresh
from dashboards.selectors import alerts
from dashboards.selectors.overview import (
    ad_summary,
    label_cost_by_order,
    margins,
    new_customers,
    organic_clicks,
    repeat_customers,
    spend_by_day,
)
from dashboards.selectors.sales import sales_totals
from integrations.models import (
    AdAccount,
    Campaign,
    CampaignDay,
    Connection,
    InventoryLevel,
    Label,
    Order,
    OrderLine,
    SearchDay,
    SearchProperty,
    ShippoOrder,
)
from integrations.models.search import SearchQueryPageDay

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("America/New_York")
DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2)
PERIOD = DateRange(DAY1, DAY2)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


def connection(provider: str) -> Connection:
    found, _ = Connection.objects.get_or_create(
        provider=provider, external_account_id=f"acct-{provider}", display_name=provider
    )
    return found


def order(number, email_hash, day, total, *, refunded=0, status="FULFILLED", testmode=False):
    return Order.objects.create(
        connection=connection("squarespace"), provider_order_id=f"o{number}",
        order_number=str(number), created_on=at(day), modified_on=at(day),
        fulfillment_status=status, testmode=testmode, currency="USD", grand_total=total,
        refunded_total=refunded, email_hash=email_hash,
    )  # fmt: skip


def line(parent, sku, quantity, unit_price):
    OrderLine.objects.create(
        order=parent, provider_line_id=f"{parent.order_number}-{sku}", line_type="PHYSICAL",
        sku=sku, product_name=sku, quantity=quantity, unit_price=unit_price,
    )  # fmt: skip


def label(object_id, cost, *, metadata="", shippo_order="", day=DAY2, status="SUCCESS"):
    return Label.objects.create(
        connection=connection("shippo"), object_id=object_id, object_state="VALID",
        status=status, object_created=at(day), object_updated=at(day), label_cost=cost,
        currency="USD", metadata=metadata, shippo_order_object_id=shippo_order,
    )  # fmt: skip


def campaign(platform, name):
    account, _ = AdAccount.objects.get_or_create(
        platform=platform, external_id=f"{platform}-1",
        defaults={"connection": connection(platform), "name": platform, "currency": "USD",
                  "time_zone": "America/New_York"},
    )  # fmt: skip
    return Campaign.objects.create(
        ad_account=account, platform=platform, external_id=name, name=name, status="ACTIVE",
        currency="USD",
    )  # fmt: skip


def ad_day(parent, day, spend_dollars, value_dollars, *, settling=False):
    CampaignDay.objects.create(
        campaign=parent, day=day, spend_micros=spend_dollars * 1_000_000,
        conversion_value_micros=value_dollars * 1_000_000, settling=settling,
    )  # fmt: skip


def build_brand() -> dict[int, Order]:
    """Create the brand described at the top of this module."""
    order(1001, "a", date(2026, 2, 10), 5000)
    o1002 = order(1002, "a", DAY1, 10000)
    o1003 = order(1003, "b", DAY1, 20000, refunded=2000)
    o1004 = order(1004, "b", DAY2, 6000)
    o1005 = order(1005, "c", DAY2, 4000)
    order(1006, "c", date(2026, 3, 20), 1000, status="CANCELED")
    order(1007, "d", DAY2, 9999, status="CANCELED")
    order(1008, "e", DAY2, 7777, testmode=True)
    line(o1002, "W-1", 2, 5000)
    line(o1003, "W-2", 1, 12000)
    line(o1003, "G-1", 1, 8000)
    line(o1004, "G-1", 3, 2000)
    line(o1005, "X-9", 1, 4000)
    widget = Product.objects.create(name="Widget", slug="widget", price=5000, unit_cost=1500)
    gadget = Product.objects.create(name="Gadget", slug="gadget", price=2000, unit_cost=1000)
    ProductVariant.objects.create(product=widget, sku="W-1")
    ProductVariant.objects.create(product=widget, sku="W-2", unit_cost=2500)
    ProductVariant.objects.create(product=gadget, sku="G-1")
    label("L1", 800, metadata="Order #1002", day=DAY1)
    ShippoOrder.objects.create(
        connection=connection("shippo"), object_id="SO3", order_number="#1003"
    )
    label("L3", 1200, shippo_order="SO3")
    label("L3-void", 999, metadata="#1003", status="ERROR")  # not a valid label
    label("L4", 700, metadata="SQ-01004")
    meta, google = campaign("meta", "M"), campaign("google_ads", "G")
    ad_day(meta, date(2026, 2, 28), 999, 999)  # outside the period
    ad_day(meta, DAY1, 60, 200)
    ad_day(meta, DAY2, 40, 100, settling=True)
    ad_day(google, DAY1, 50, 0)
    ad_day(google, DAY2, 50, 150)
    ProductCampaign.objects.create(product=widget, campaign=meta)
    ProductCampaign.objects.create(product=widget, campaign=google)
    ProductCampaign.objects.create(product=gadget, campaign=google)
    rollups_refresh()  # as every orders and Shippo sync does
    return {1002: o1002, 1003: o1003, 1004: o1004, 1005: o1005}


@pytest.fixture
def brand():
    return build_brand()


def test_revenue_orders_and_aov_count_only_real_orders(brand):
    totals = sales_totals(PERIOD)
    assert totals.revenue_minor == 10000 + 18000 + 6000 + 4000
    assert totals.orders == 4
    assert totals.aov_minor == 38000 // 4  # AOV = $95.00


def test_spend_by_platform_and_conversion_value_over_the_period(brand):
    ads = ad_summary(PERIOD)
    assert ads.spend_by_platform == {"meta": 100_000_000, "google_ads": 100_000_000}
    assert ads.spend_micros == 200_000_000
    assert ads.conversion_value_micros == 450_000_000
    assert (ads.settling_days, ads.first_settling_day) == (1, DAY2)


def test_mer_and_blended_roas_are_revenue_and_conversion_value_over_spend(brand):
    revenue = Decimal(sales_totals(PERIOD).revenue_minor) / 100  # $380
    ads = ad_summary(PERIOD)
    spend = Decimal(ads.spend_micros) / 1_000_000  # $200
    assert revenue / spend == Decimal("1.9")  # MER
    assert Decimal(ads.conversion_value_micros) / 1_000_000 / spend == Decimal("2.25")  # ROAS


def test_new_customers_are_first_orders_ever_in_the_period(brand):
    new = new_customers(PERIOD)
    # b's first order is 1003 ($180 net) and c's is 1005 ($40); a bought before; 1004 is b's 2nd.
    assert new.customers == 2
    assert new.revenue_minor == 18000 + 4000


def test_cac_is_spend_over_new_customers(brand):
    spend = Decimal(ad_summary(PERIOD).spend_micros) / 1_000_000
    assert spend / new_customers(PERIOD).customers == Decimal(100)  # $200 / 2


def test_repeat_rate_counts_customers_with_two_or_more_real_orders_ever(brand):
    repeat = repeat_customers(PERIOD)
    # a (1001, 1002) and b (1003, 1004) repeat; c's second order was cancelled.
    assert (repeat.customers, repeat.repeat) == (3, 2)
    assert repeat.rate == pytest.approx(2 / 3)


def test_label_costs_link_by_the_number_each_label_names(brand):
    costs = label_cost_by_order(PERIOD)
    assert costs == {brand[1002].pk: 800, brand[1003].pk: 1200, brand[1004].pk: 700}


def test_label_costs_follow_reconciliation_links_once_it_has_run(brand):
    from reconciliation.models import LabelLink

    first = Label.objects.get(object_id="L4")
    LabelLink.objects.create(
        label=first, number="1005", order=brand[1005], kind="confirmed",
        object_state="VALID", status="SUCCESS", object_updated=timezone.now(),
    )  # fmt: skip
    assert label_cost_by_order(PERIOD) == {brand[1005].pk: 700}


def test_contribution_margin_per_day(brand):
    days = {d.day: d for d in margins(PERIOD).by_day}
    one, two = days[DAY1], days[DAY2]
    assert (one.revenue, one.cogs, one.labels, one.spend) == (28000, 3000 + 3500, 2000, 11000)
    assert one.margin == 8500
    assert (two.revenue, two.cogs, two.labels, two.spend) == (10000, 3000, 700, 9000)
    assert two.margin == -2700
    assert margins(PERIOD).total.margin == 5800


def test_contribution_margin_per_product_shares_labels_and_spend(brand):
    found = margins(PERIOD)
    products = {p.product: p for p in found.by_product}
    widget, gadget = products["Widget"], products["Gadget"]
    # Widget: $220 revenue, COGS 2x$15 + $25, labels $8 + $12 x 120/200, spend $100 + $100/2.
    assert (widget.units, widget.revenue, widget.cogs) == (3, 22000, 5500)
    assert widget.labels == pytest.approx(800 + 720)
    assert widget.spend == pytest.approx(15000)
    assert widget.margin == -20
    # Gadget: $140 revenue, COGS 4 x $10, labels $12 x 80/200 + $7, spend $100/2.
    assert (gadget.units, gadget.revenue, gadget.cogs) == (4, 14000, 4000)
    assert gadget.margin == 14000 - 4000 - 1180 - 5000
    assert found.unmatched_skus == 1
    assert [p.product for p in found.by_product] == ["Gadget", "Widget"]


def test_spend_by_day_has_every_day(brand):
    assert spend_by_day(DateRange(date(2026, 2, 27), DAY1)) == {
        date(2026, 2, 27): 0,
        date(2026, 2, 28): 999_000_000,
        DAY1: 110_000_000,
    }


def test_organic_clicks_and_fresh_days():
    prop = SearchProperty.objects.create(
        connection=connection("search_console"), site_url="sc-domain:flux.example"
    )
    for n, (day, clicks, fresh) in enumerate([(DAY1, 5, False), (DAY2, 7, True), (DAY2, 1, True)]):
        SearchDay.objects.create(
            search_property=prop, day=day, query="q", page="/p", country="usa", device="DESKTOP",
            row_key=str(n), clicks=clicks, impressions=10, position=3.0, fresh=fresh,
        )  # fmt: skip
    for day in (DAY1, DAY2):
        SearchQueryPageDay.objects.rebuild(prop.pk, day)
    search_rollups_refresh()
    assert organic_clicks(PERIOD) == (13, 1)


def test_an_empty_brand_has_zero_figures_not_errors():
    assert new_customers(PERIOD).customers == 0
    assert repeat_customers(PERIOD).rate is None
    assert margins(PERIOD).total.margin == 0
    assert margins(PERIOD).by_product == []


# ---- alerts ----------------------------------------------------------------------------------


def test_stock_alert_counts_low_and_out_of_stock_tracked_skus():
    shop = connection("squarespace")
    for n, (quantity, unlimited) in enumerate([(0, False), (-1, False), (3, False), (5, False),
                                               (6, False), (0, True)]):  # fmt: skip
        InventoryLevel.objects.create(
            connection=shop, variant_id=f"v{n}", sku=f"S{n}", quantity=quantity,
            is_unlimited=unlimited,
        )  # fmt: skip
    assert alerts.stock_alert() == alerts.StockAlert(low=2, out=2)


def test_broken_connections_are_reconnects_disabled_and_errors_not_revoked():
    Connection.objects.create(provider="meta", external_account_id="1", display_name="Ads")
    Connection.objects.create(
        provider="shippo", external_account_id="2", display_name="Ship", status="needs_reconnect"
    )
    Connection.objects.create(
        provider="squarespace", external_account_id="3", display_name="Shop", last_error="500"
    )
    Connection.objects.create(
        provider="google_ads", external_account_id="4", display_name="Old", status="revoked",
        last_error="gone",
    )  # fmt: skip
    assert alerts.broken_connections() == [
        alerts.BrokenConnection("Shippo", "Ship", "Needs reconnect"),
        alerts.BrokenConnection("Squarespace", "Shop", "Last sync failed"),
    ]


def test_pending_proposals_is_zero_until_proposals_exist():
    assert alerts.pending_proposals() == 0


def test_reconciliation_exceptions_count_problem_buckets_only(brand):
    from reconciliation.models import OrderResult

    for number, bucket in [(1002, "matched"), (1003, "missing_in_shippo"), (1005, "excluded"),
                           (1004, "zip_mismatch")]:  # fmt: skip
        OrderResult.objects.create(
            order=brand[number], bucket=bucket, flags=[bucket],
            order_modified=timezone.now(), evaluated_at=timezone.now(),
        )  # fmt: skip
    assert alerts.reconciliation_exceptions() == 2


def test_reconciliation_exceptions_are_none_without_the_reconciliation_selectors(monkeypatch):
    monkeypatch.setitem(sys.modules, "reconciliation.selectors", None)  # import now fails
    assert alerts.reconciliation_exceptions() is None
