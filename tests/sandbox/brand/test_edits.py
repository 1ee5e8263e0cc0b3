from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sandbox.brand import Brand

from .conftest import ANCHOR


@pytest.fixture
def brand() -> Brand:
    """A small brand of its own, because these tests edit it."""
    return Brand(seed=5, orders=1200, anchor=ANCHOR)


def _after_anchor(brand: Brand, hours: int) -> datetime:
    return brand.anchor + timedelta(hours=hours)


def test_an_incremental_listing_finds_exactly_the_edited_orders(brand):
    edited = brand.edit_orders(count=40, at=_after_anchor(brand, 3))
    page = brand.orders_page(
        modified_after=brand.anchor, modified_before=_after_anchor(brand, 4), limit=50
    )
    assert len(set(edited)) == 40
    assert {o["id"] for o in page.orders} == set(edited)
    assert page.next_after is None


def test_each_edit_changes_status_or_refund(brand):
    before = {o["id"]: o for o in _all(brand)}
    edited = brand.edit_orders(count=30, at=_after_anchor(brand, 1))
    for order_id in edited:
        old, new = before[order_id], brand.order(order_id)
        changed = (old["fulfillmentStatus"], old["refundedTotal"]) != (
            new["fulfillmentStatus"],
            new["refundedTotal"],
        )
        assert changed
        assert new["modifiedOn"] > old["modifiedOn"]


def test_the_truth_follows_the_edits(brand):
    fulfilled_before = brand.truth.orders_by_status["FULFILLED"]
    refunded_before = brand.truth.refunded_total_minor["USD"]
    brand.edit_orders(count=50, at=_after_anchor(brand, 2))
    orders = _all(brand)
    fulfilled = sum(o["fulfillmentStatus"] == "FULFILLED" for o in orders)
    assert brand.truth.orders == len(orders) == 1200
    assert brand.truth.orders_by_status["FULFILLED"] == fulfilled >= fulfilled_before
    assert brand.truth.refunded_total_minor["USD"] > refunded_before


def test_listing_after_edits_still_yields_every_order_once_in_modified_order(brand):
    brand.edit_orders(count=25, at=_after_anchor(brand, 1))
    orders = _all(brand)
    assert len({o["id"] for o in orders}) == len(orders) == 1200
    assert [o["modifiedOn"] for o in orders] == sorted(o["modifiedOn"] for o in orders)


def test_a_status_filter_pages_through_edited_orders_too(brand):
    edited = set(brand.edit_orders(count=20, at=_after_anchor(brand, 1)))
    fulfilled = _all(brand, fulfillment_status="FULFILLED")
    assert all(o["fulfillmentStatus"] == "FULFILLED" for o in fulfilled)
    assert len(fulfilled) == brand.truth.orders_by_status["FULFILLED"]
    assert edited & {o["id"] for o in fulfilled}


def test_edits_before_the_anchor_are_refused(brand):
    with pytest.raises(ValueError, match="after the anchor"):
        brand.edit_orders(count=1, at=datetime(2020, 1, 1, tzinfo=UTC))


def _all(brand: Brand, **filters) -> list[dict[str, Any]]:
    orders, after = [], None
    while True:
        page = brand.orders_page(after=after, limit=50, **filters)
        orders.extend(page.orders)
        if page.next_after is None:
            return orders
        after = page.next_after
