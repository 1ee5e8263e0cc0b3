"""Inventory selectors against hand-built stock and sales; each number is worked out by hand.

Today is 1 April 2026, so the velocity window is 4-31 March (28 complete days).
  A-1  stock 10, sold 56 in the window      -> 2/day, 5 days of cover, high risk
  A-2  stock 30, sold 28 (+ 99 before it)   -> 1/day, 30 days, low
  B-1  stock 14, sold 42                    -> 1.5/day, 9.33 days, medium
  C-1  stock 0, stocked out 20 Mar          -> out
  D-1  unlimited                            -> no cover limit, no risk
  E-1  stock 5, nothing sold                -> no recent sales, low
Products: Alpha (A-1, A-2) advertised by active M and paused P; Beta (B-1); Gamma (C-1) by
active G; Delta (D-1) by active M.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from catalog.models import ProductCampaign
from dashboards.rollups import rollups_refresh
from dashboards.selectors.inventory import (
    SkuStock,
    advertised_while_low,
    stock_by_sku,
    velocity_window,
)
from integrations.models import Connection, InventoryChange, InventoryLevel
from tests.catalog.factories import campaign_make, product_make, variant_make
from tests.dashboards.selectors.test_sales import at, line, order

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 1)


def level(sku: str, quantity: int, unlimited: bool = False) -> InventoryLevel:
    connection, _ = Connection.objects.get_or_create(
        provider="squarespace", external_account_id="store", defaults={"display_name": "Store"}
    )
    return InventoryLevel.objects.create(connection=connection, variant_id=sku, sku=sku,
                                         quantity=quantity, is_unlimited=unlimited)  # fmt: skip


def sold(sku: str, units: int, day: date) -> None:
    line(order(f"{sku}-{day}", at(day), units * 100), sku, units, 100)


@pytest.fixture
def stock() -> None:
    level("A-1", 10)
    level("A-2", 30)
    level("B-1", 14)
    out = level("C-1", 0)
    level("D-1", 0, unlimited=True)
    level("E-1", 5)
    sold("A-1", 56, date(2026, 3, 4))  # the window's first day
    sold("A-2", 28, date(2026, 3, 31))  # its last day
    sold("A-2", 99, date(2026, 3, 3))  # the day before it
    sold("A-2", 50, TODAY)  # today is not complete
    sold("B-1", 42, date(2026, 3, 15))
    sold("D-1", 7, date(2026, 3, 15))
    for day, after in ((10, 0), (15, 4), (20, 0)):
        InventoryChange.objects.create(
            level=out, observed_at=datetime(2026, 3, day, 12, tzinfo=UTC), quantity_after=after
        )
    rollups_refresh()  # as every orders sync does


def rows() -> dict[str, SkuStock]:
    return {r.sku: r for r in stock_by_sku(today=TODAY)}


def test_the_velocity_window_is_the_last_28_complete_days():
    window = velocity_window(TODAY)
    assert (window.start, window.end, window.days) == (date(2026, 3, 4), date(2026, 3, 31), 28)


def test_velocity_days_of_cover_and_risk(stock):
    found = rows()
    a1, a2, b1 = found["A-1"], found["A-2"], found["B-1"]
    assert (a1.velocity, a1.days_of_cover, a1.risk) == (Decimal(2), Decimal(5), "high")
    assert (a2.velocity, a2.days_of_cover, a2.risk) == (Decimal(1), Decimal(30), "low")
    assert b1.velocity == Decimal("1.5")
    assert b1.days_of_cover is not None
    assert round(b1.days_of_cover, 2) == Decimal("9.33")
    assert b1.risk == "medium"


def test_unlimited_out_and_unsold_skus(stock):
    found = rows()
    assert (found["D-1"].days_of_cover, found["D-1"].risk) == (None, "none")
    assert found["D-1"].unlimited
    assert (found["E-1"].days_of_cover, found["E-1"].risk) == (None, "low")
    assert found["C-1"].risk == "out"
    assert found["C-1"].last_stockout == datetime(2026, 3, 20, 12, tzinfo=UTC)


def test_the_riskiest_skus_come_first(stock):
    assert [r.sku for r in stock_by_sku(today=TODAY)][:3] == ["C-1", "A-1", "B-1"]


def test_products_advertised_while_short_list_their_active_campaigns(stock):
    alpha, beta, gamma, delta = (product_make(n) for n in ("Alpha", "Beta", "Gamma", "Delta"))
    for product, skus in ((alpha, ["A-1", "A-2"]), (beta, ["B-1"]), (gamma, ["C-1"]),
                          (delta, ["D-1"])):  # fmt: skip
        for sku in skus:
            variant_make(product, sku)
    m = campaign_make("M", daily_budget=5000)
    p = campaign_make("P", status="PAUSED", daily_budget=9000)
    g = campaign_make("G", platform="google_ads", daily_budget=2500)
    for product, campaign in ((alpha, m), (alpha, p), (gamma, g), (delta, m), (beta, p)):
        ProductCampaign.objects.create(product=product, campaign=campaign)
    found = advertised_while_low(stock_by_sku(today=TODAY))
    summary = {
        f.product: ([s.sku for s in f.skus], [(c.name, c.daily_budget) for c in f.campaigns])
        for f in found
    }
    assert summary == {"Alpha": (["A-1"], [("M", 5000)]), "Gamma": (["C-1"], [("G", 2500)])}
    assert [f.campaigns[0].platform for f in found] == ["Meta", "Google Ads"]
