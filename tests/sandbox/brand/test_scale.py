"""A cheap smoke test of a larger brand; the full bench scale is measured by the benchmarks."""

from datetime import timedelta

from sandbox.brand import SCALES, Brand

from .conftest import ANCHOR


def test_a_mid_size_brand_builds_and_serves_pages_and_lookups():
    brand = Brand(seed=2, orders=12_000, anchor=ANCHOR)
    first = brand.orders_page(limit=50)
    later = brand.orders_page(after=first.next_after, limit=50)
    recent = brand.orders_page(modified_after=brand.anchor - timedelta(days=3),
                               modified_before=brand.anchor, limit=50)  # fmt: skip
    assert len(first.orders) == len(later.orders) == 50
    assert first.orders[-1]["modifiedOn"] <= later.orders[0]["modifiedOn"]
    assert recent.orders
    assert all(o["modifiedOn"] >= "2026-11-17" for o in recent.orders)
    tx = brand.transactions_page(page=7, results=50).results[0]
    assert brand.transaction(tx["object_id"]) == tx
    shippo_order = brand.shippo_order(tx["order"])
    assert shippo_order is not None
    assert shippo_order["object_id"] == tx["order"]
    assert brand.order(first.orders[0]["id"]) == first.orders[0]


def test_unknown_ids_and_numbers_are_not_found(demo_brand):
    assert demo_brand.order("0" * 24) is None
    assert demo_brand.order("not-an-id") is None
    assert demo_brand.order_by_number("999999999") is None
    assert demo_brand.transaction("f" * 32) is None
    assert demo_brand.shippo_order("0" * 32) is None
    assert demo_brand.track("usps", "9400000000000099999990") is None


def test_the_scales_are_demo_and_bench():
    assert SCALES == {"demo": 6_000, "bench": 250_000}
