"""Parsing Squarespace JSON at the boundary: typed records, minor units, no personal data."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from flux.hashing import hash_email
from integrations.squarespace.oauth import token_set_parse
from integrations.squarespace.parse import (
    MalformedPage,
    inventory_page_parse,
    order_parse,
    orders_page_parse,
    to_minor,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_an_order_becomes_a_typed_record_in_minor_units():
    order = order_parse(fixture("order.json"))
    assert order.order_number == "3"
    assert order.currency == "USD"
    assert (order.totals.grand_total, order.totals.shipping_total, order.totals.tax_total) == (
        11323, 500, 825,
    )  # fmt: skip
    assert order.lines[0].unit_price == 4999
    assert order.lines[0].quantity == 2
    assert order.has_physical_items
    assert order.fulfilled_on is None


def test_the_email_is_hashed_and_the_address_cut_to_the_place():
    order = order_parse(fixture("order.json"))
    assert order.email_hash == hash_email("pat.doe@example.com")
    assert (order.place.city, order.place.state, order.place.postal_code, order.place.country) == (
        "Portland", "OR", "97201", "US",
    )  # fmt: skip
    assert "Hidden Lane" not in repr(order)
    assert "555" not in repr(order)
    assert "Pat" not in repr(order)


def test_nulls_and_missing_optional_fields_read_as_empty():
    order = order_parse(fixture("order_sparse.json"))
    assert order.lines == ()
    assert order.email_hash == ""
    assert order.place.city == ""
    assert (order.totals.grand_total, order.totals.subtotal, order.totals.tax_total) == (1500, 0, 0)
    assert order.testmode is False
    assert not order.has_physical_items


def test_an_empty_listing_may_say_null():
    page = orders_page_parse({"result": None, "pagination": {"hasNextPage": False}})
    assert page.records == ()
    assert page.next_cursor is None


def test_inventory_pages_parse_with_their_cursor():
    page = inventory_page_parse(fixture("inventory_page.json"))
    assert [(s.variant_id, s.quantity, s.is_unlimited) for s in page.records] == [
        ("v1", 12, False), ("v2", 0, True),
    ]  # fmt: skip
    assert page.next_cursor == "abc"
    assert page.records[1].sku == ""


@pytest.mark.parametrize(
    ("value", "currency", "minor"),
    [("49.99", "USD", 4999), (49.99, "USD", 4999), (1500, "JPY", 1500), ("1.234", "KWD", 1234),
     ("-3.10", "USD", -310), ("0", "EUR", 0)],
)  # fmt: skip
def test_money_converts_exactly_to_minor_units(value: object, currency: str, minor: int):
    assert to_minor(value, currency) == minor


def set_path(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    *parents, last = path.split(".")
    target: Any = changed
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    key: Any = int(last) if last.isdigit() else last
    if value is KeyError:
        del target[key]
    else:
        target[key] = value
    return changed


HOSTILE: list[tuple[str, Any]] = [
    ("id", None), ("id", 585), ("id", "x" * 65), ("orderNumber", KeyError),
    ("createdOn", "yesterday"), ("createdOn", "2016-12-23T15:57:03"), ("modifiedOn", 1482508623),
    ("fulfillmentStatus", "SHIPPED"), ("grandTotal", None), ("grandTotal.value", "NaN"),
    ("grandTotal.value", "Infinity"), ("grandTotal.value", "1e400"), ("grandTotal.value", True),
    ("grandTotal.value", "12.345"), ("grandTotal.currency", "usd"), ("taxTotal.currency", "EUR"),
    ("lineItems", {"0": {}}), ("lineItems.0.quantity", -1), ("lineItems.0.quantity", 1.5),
    ("lineItems.0.quantity", True), ("lineItems.0", "item"), ("lineItems.0.unitPricePaid", "4.99"),
    ("customerEmail", ["a@b.example"]), ("shippingAddress", "12 Hidden Lane"),
    ("shippingAddress.countryCode", "USA"), ("shippingAddress.city", 7),
    ("testmode", "false"), ("lineItems.0.productName", "Flux\x00"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value"), HOSTILE, ids=[f"{p}={v!r}"[:40] for p, v in HOSTILE])
def test_hostile_values_raise_a_malformed_page_that_names_no_value(path: str, value: Any):
    with pytest.raises(MalformedPage) as raised:
        order_parse(set_path(fixture("order.json"), path, value))
    assert "Hidden" not in str(raised.value)
    assert "pat.doe" not in str(raised.value).lower()


@pytest.mark.parametrize(
    "page",
    [[], "page", {"result": []}, {"result": {}, "pagination": {}},
     {"result": [], "pagination": {"hasNextPage": True, "nextPageCursor": None}},
     {"result": [1], "pagination": {"hasNextPage": False}}],
)  # fmt: skip
def test_a_page_without_its_documented_shape_is_malformed(page: Any):
    with pytest.raises(MalformedPage):
        orders_page_parse(page)


def test_a_token_answer_without_a_refresh_token_is_malformed():
    answer = {"access_token": "a", "access_token_expires_at": 1.0, "refresh_token": None}
    with pytest.raises(MalformedPage):
        token_set_parse(answer)
