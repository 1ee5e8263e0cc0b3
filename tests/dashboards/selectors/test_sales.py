"""Sales selectors against hand-built orders; each expected number is worked out by hand.

Period 1-3 March 2026 (brand-local, America/New_York):
  o1 customer a  1 Mar 00:30   $100           2 x A-1 at $40     NY
  o2 customer b  1 Mar 23:30   $50 - $10 ref  1 x B-1 at $50     CA   (2 Mar in UTC)
  o3 customer a  3 Mar         $30            1 x A-1 at $30     NY
  o4 customer c  2 Mar         $70 cancelled                     NY
  o5 test order 3 Mar; o6 customer d 28 Feb 23:30 (before the period)
Catalog: Alpha covers A-1; B-1 is in no product (its line says "Beta thing").
"""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from dashboards.ranges import DateRange
from dashboards.rollups import rollups_refresh
from dashboards.selectors.sales import (
    cohorts,
    product_sales,
    returns_in,
    sales_by_day,
    sales_by_state,
    sales_totals,
    sku_sales,
)
from integrations.models import Connection, Order, OrderLine
from tests.catalog.factories import product_make, variant_make

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("America/New_York")
PERIOD = DateRange(date(2026, 3, 1), date(2026, 3, 3))


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def order(number: str, when: datetime, total: int, **fields: object) -> Order:
    connection, _ = Connection.objects.get_or_create(
        provider="squarespace", external_account_id="store", defaults={"display_name": "Store"}
    )
    values = {"fulfillment_status": "FULFILLED", "currency": "USD", **fields}
    return Order.objects.create(
        connection=connection, provider_order_id=number, order_number=number, created_on=when,
        modified_on=when, grand_total=total, subtotal=total, **values,
    )  # fmt: skip


def line(o: Order, sku: str, quantity: int, price: int, name: str = "") -> None:
    OrderLine.objects.create(
        order=o, provider_line_id=f"{o.order_number}-{sku}", line_type="PHYSICAL", sku=sku,
        product_name=name or sku, quantity=quantity, unit_price=price,
    )  # fmt: skip


@pytest.fixture
def brand() -> None:
    alpha = product_make("Alpha")
    variant_make(alpha, "A-1")
    o1 = order("1", at(date(2026, 3, 1), 0, 30), 10000, email_hash="a", ship_state="NY")
    line(o1, "A-1", 2, 4000)
    o2 = order("2", at(date(2026, 3, 1), 23, 30), 5000, refunded_total=1000, email_hash="b",
               ship_state="CA")  # fmt: skip
    line(o2, "B-1", 1, 5000, name="Beta thing")
    o3 = order("3", at(date(2026, 3, 3)), 3000, email_hash="a", ship_state="NY")
    line(o3, "A-1", 1, 3000)
    o4 = order("4", at(date(2026, 3, 2)), 7000, email_hash="c", ship_state="NY",
               fulfillment_status="CANCELED")  # fmt: skip
    line(o4, "A-1", 5, 1400)
    line(order("5", at(date(2026, 3, 3)), 9999, testmode=True), "A-1", 9, 1111)
    line(order("6", at(date(2026, 2, 28), 23, 30), 2000, email_hash="d"), "A-1", 1, 2000)
    rollups_refresh()  # as every orders sync does


def test_revenue_orders_and_aov(brand):
    totals = sales_totals(PERIOD)
    assert (totals.revenue_minor, totals.orders) == (18000 - 1000, 3)
    assert totals.aov_minor == 17000 // 3


def test_revenue_and_orders_fall_on_brand_local_days(brand):
    days = [(d.day.day, d.revenue_minor, d.orders) for d in sales_by_day(PERIOD)]
    assert days == [(1, 10000 + 4000, 2), (2, 0, 0), (3, 3000, 1)]


def test_skus_and_products_by_units_and_line_revenue(brand):
    skus = [(s.sku, s.name, s.units, s.revenue_minor, s.in_catalog) for s in sku_sales(PERIOD)]
    assert skus == [("A-1", "Alpha", 3, 2 * 4000 + 3000, True),
                    ("B-1", "Beta thing", 1, 5000, False)]  # fmt: skip
    products = [(p.name, p.units, p.revenue_minor) for p in product_sales(PERIOD)]
    assert products == [("Alpha", 3, 11000), ("Beta thing", 1, 5000)]


def test_revenue_by_shipping_state(brand):
    states = [(s.state, s.orders, s.revenue_minor) for s in sales_by_state(PERIOD)]
    assert states == [("NY", 2, 13000), ("CA", 1, 4000)]


def test_refund_and_cancellation_rates(brand):
    r = returns_in(PERIOD)
    assert (r.placed, r.canceled, r.canceled_minor) == (4, 1, 7000)
    assert (r.counted, r.refunded_orders, r.refunded_minor, r.gross_minor) == (3, 1, 1000, 18000)
    assert r.cancel_rate == 1 / 4
    assert r.refund_rate == pytest.approx(1000 / 18000)
    assert r.refunded_order_rate == pytest.approx(1 / 3)


def test_an_empty_period_has_no_rates():
    r = returns_in(PERIOD)
    assert (r.cancel_rate, r.refund_rate, r.refunded_order_rate) == (None, None, None)
    assert sales_totals(PERIOD).aov_minor is None


@pytest.fixture
def customers() -> None:
    """Jan cohort p, q, r; Feb cohort s; Dec cohort t (its January order is a repeat)."""
    for number, who, day, total, status in [
        ("p1", "p", date(2026, 1, 10), 1000, "FULFILLED"),
        ("p2", "p", date(2026, 1, 25), 1000, "FULFILLED"),  # 15 days later
        ("q1", "q", date(2026, 1, 20), 2000, "FULFILLED"),
        ("q2", "q", date(2026, 3, 30), 3000, "FULFILLED"),  # 69 days later
        ("r1", "r", date(2026, 1, 31), 500, "FULFILLED"),
        ("s1", "s", date(2026, 2, 5), 4000, "FULFILLED"),
        ("s2", "s", date(2026, 2, 6), 900, "CANCELED"),  # a cancelled order is no repeat
        ("t1", "t", date(2025, 12, 20), 800, "FULFILLED"),
        ("t2", "t", date(2026, 1, 15), 700, "FULFILLED"),  # 26 days later
    ]:
        order(number, at(day), total, email_hash=who, fulfillment_status=status)
    rollups_refresh()


def test_cohorts_count_repeat_purchases_within_each_window(customers):
    found = cohorts(DateRange(date(2026, 3, 1), date(2026, 3, 31)), today=date(2026, 12, 31))
    by_month = {c.month: c for c in found}
    jan = by_month[date(2026, 1, 1)]
    assert jan.customers == 3
    assert jan.repeat == {30: 1, 90: 2, 180: 2}
    assert jan.rate(30) == pytest.approx(1 / 3)
    assert (jan.first_revenue_minor, jan.revenue_minor) == (1000 + 2000 + 500, 2000 + 5000 + 500)
    feb = by_month[date(2026, 2, 1)]
    assert (feb.customers, feb.repeat) == (1, {30: 0, 90: 0, 180: 0})
    dec = by_month[date(2025, 12, 1)]
    assert (dec.customers, dec.repeat[30]) == (1, 1)
    assert [c.month.month for c in found] == [2, 1, 12]


def test_windows_that_have_not_elapsed_are_unknown_not_zero(customers):
    found = cohorts(DateRange(date(2026, 3, 1), date(2026, 3, 31)))
    jan = next(c for c in found if c.month == date(2026, 1, 1))
    assert jan.repeat == {30: 1, 90: None, 180: None}
    assert jan.rate(90) is None
    assert Decimal(str(jan.rate(30))) > 0
