import json

from sandbox.brand import Brand

from .conftest import ANCHOR


def _sample(brand: Brand) -> str:
    """Serialise a sample of every listing the brand serves."""
    middle = brand.orders_page(limit=50).next_after
    tx = brand.transactions_page(page=3, results=20).results
    sample = {
        "orders": brand.orders_page(limit=50).orders,
        "later_orders": brand.orders_page(after=middle, limit=50).orders,
        "transactions": tx,
        "shippo_orders": brand.shippo_orders_page(page=2, results=20).results,
        "inventory": brand.inventory(),
        "track": brand.track(tx[0]["rate"]["provider"].lower(), tx[0]["tracking_number"]),
    }
    return json.dumps(sample, sort_keys=True)


def test_the_same_seed_generates_identical_json():
    first = Brand(seed=11, orders=1500, anchor=ANCHOR)
    second = Brand(seed=11, orders=1500, anchor=ANCHOR)
    assert _sample(first) == _sample(second)
    assert first.truth == second.truth


def test_different_seeds_generate_different_brands():
    first = Brand(seed=11, orders=1500, anchor=ANCHOR)
    other = Brand(seed=12, orders=1500, anchor=ANCHOR)
    assert _sample(first) != _sample(other)
    assert first.truth.grand_total_minor != other.truth.grand_total_minor


def test_an_order_rendered_alone_matches_the_same_order_in_a_listing(demo_brand):
    listed = demo_brand.orders_page(limit=5).orders
    for order in listed:
        assert demo_brand.order(order["id"]) == order
        assert demo_brand.order_by_number(order["orderNumber"]) == order
