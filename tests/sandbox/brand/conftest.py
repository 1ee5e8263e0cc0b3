"""One demo-scale brand shared by the read-only tests; edits get their own."""

from datetime import date
from typing import Any

import pytest

from sandbox.brand import Brand

ANCHOR = date(2026, 11, 20)


@pytest.fixture(scope="session")
def demo_brand() -> Brand:
    """The demo brand for seed 7; tests must not edit it."""
    return Brand(seed=7, scale="demo", anchor=ANCHOR)


@pytest.fixture(scope="session")
def all_orders(demo_brand: Brand) -> list[dict[str, Any]]:
    """Every Squarespace order of the demo brand, listed page by page."""
    orders: list[dict[str, Any]] = []
    after = None
    while True:
        page = demo_brand.orders_page(after=after, limit=50)
        orders.extend(page.orders)
        if page.next_after is None:
            return orders
        after = page.next_after


@pytest.fixture(scope="session")
def all_transactions(demo_brand: Brand) -> list[dict[str, Any]]:
    """Every Shippo transaction of the demo brand."""
    return _all_pages(demo_brand.transactions_page)


@pytest.fixture(scope="session")
def all_shippo_orders(demo_brand: Brand) -> list[dict[str, Any]]:
    """Every Shippo order of the demo brand."""
    return _all_pages(demo_brand.shippo_orders_page)


def _all_pages(fetch) -> list[dict[str, Any]]:
    """Collect every result of a Shippo-style paged listing."""
    results: list[dict[str, Any]] = []
    page = 1
    while True:
        got = fetch(page=page, results=100)
        results.extend(got.results)
        if len(results) >= got.count:
            return results
        page += 1
