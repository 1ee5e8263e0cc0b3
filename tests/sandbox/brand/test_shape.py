import re
from decimal import Decimal
from typing import Any

from sandbox.brand.shipping import NUMBER_FORMATS

HEX24 = re.compile(r"^[0-9a-f]{24}$")
HEX32 = re.compile(r"^[0-9a-f]{32}$")
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ORDER_FIELDS = {
    "id", "orderNumber", "createdOn", "modifiedOn", "channel", "channelName",
    "externalOrderReference", "testmode", "customerEmail", "customerId", "billingAddress",
    "shippingAddress", "fulfillmentStatus", "paymentState", "priceTaxInterpretation",
    "lineItems", "subtotal", "shippingTotal", "discountTotal", "taxTotal", "refundedTotal",
    "grandTotal", "discountLines", "shippingLines", "fulfillments", "fulfilledOn",
    "internalNotes", "formSubmission",
}  # fmt: skip
LINE_FIELDS = {
    "id", "lineItemType", "productId", "productName", "variantId", "sku", "quantity",
    "unitPricePaid", "variantOptions", "customizations", "imageUrl", "weight", "length",
    "width", "height",
}  # fmt: skip
ADDRESS_FIELDS = {
    "firstName", "lastName", "address1", "address2", "city", "state", "countryCode",
    "postalCode", "phone",
}  # fmt: skip
MONEY_FIELDS = (
    "subtotal",
    "shippingTotal",
    "discountTotal",
    "taxTotal",
    "refundedTotal",
    "grandTotal",
)
TRANSACTION_STATUSES = {
    "WAITING",
    "QUEUED",
    "SUCCESS",
    "ERROR",
    "REFUNDED",
    "REFUNDPENDING",
    "REFUNDREJECTED",
}
TRACKING_STATUSES = {"PRE_TRANSIT", "TRANSIT", "DELIVERED", "RETURNED", "FAILURE", "UNKNOWN"}
SHIPPO_ORDER_STATUSES = {
    "UNKNOWN",
    "AWAITPAY",
    "PAID",
    "REFUNDED",
    "CANCELLED",
    "PARTIALLY_FULFILLED",
    "SHIPPED",
}


def _minor(money: dict[str, Any]) -> int:
    """Parse a Squarespace money object into cents, the way the app should."""
    assert money["currency"] == "USD"
    return int(Decimal(str(money["value"])) * 100)


def test_every_order_has_every_documented_field(all_orders):
    for order in all_orders:
        assert set(order) == ORDER_FIELDS
        assert HEX24.match(order["id"])
        assert order["orderNumber"].isdigit()
        assert ISO_MS.match(order["createdOn"])
        assert ISO_MS.match(order["modifiedOn"])
        assert order["createdOn"] <= order["modifiedOn"]
        assert order["fulfillmentStatus"] in {"PENDING", "FULFILLED", "CANCELED"}
        assert (order["fulfilledOn"] is not None) == (order["fulfillmentStatus"] == "FULFILLED")
        assert set(order["billingAddress"]) == ADDRESS_FIELDS


def test_every_line_item_has_every_documented_field(all_orders):
    for order in all_orders:
        assert order["lineItems"]
        for line in order["lineItems"]:
            assert set(line) == LINE_FIELDS
            assert line["lineItemType"] in {"PHYSICAL_PRODUCT", "DIGITAL"}
            assert isinstance(line["quantity"], int)
            assert line["quantity"] >= 1


def test_money_parses_as_decimal_and_the_totals_add_up(all_orders):
    for order in all_orders:
        m = {field: _minor(order[field]) for field in MONEY_FIELDS}
        lines = sum(_minor(ln["unitPricePaid"]) * ln["quantity"] for ln in order["lineItems"])
        assert m["subtotal"] == lines
        expected = m["subtotal"] - m["discountTotal"] + m["shippingTotal"] + m["taxTotal"]
        assert m["grandTotal"] == expected
        assert 0 <= m["refundedTotal"] <= m["grandTotal"]


def test_pos_orders_have_no_email_and_digital_only_orders_no_shipping_address(all_orders):
    pos = [o for o in all_orders if o["channel"] == "pos"]
    digital = [
        o for o in all_orders if all(ln["lineItemType"] == "DIGITAL" for ln in o["lineItems"])
    ]
    assert pos
    assert all(o["customerEmail"] is None for o in pos)
    assert digital
    assert all(o["shippingAddress"] is None for o in digital)
    assert all(o["fulfillments"] == [] for o in digital)


def test_inventory_items_have_the_documented_fields(demo_brand):
    items = demo_brand.inventory()
    assert len(items) == demo_brand.truth.inventory_rows
    for item in items:
        assert set(item) == {"variantId", "sku", "descriptor", "isUnlimited", "quantity"}
        assert isinstance(item["quantity"], int)
        assert item["quantity"] >= 0
    assert len({item["sku"] for item in items}) == len(items)


def test_transactions_always_carry_created_by_and_strict_enum_values(all_transactions):
    for tx in all_transactions:
        assert "created_by" in tx
        assert HEX32.match(tx["object_id"])
        assert tx["object_state"] in {"VALID", "INVALID"}
        assert tx["status"] in TRANSACTION_STATUSES
        assert tx["tracking_status"] in TRACKING_STATUSES
        assert tx["rate"]["provider"].lower() in {"usps", "ups", "fedex"}
        assert Decimal(tx["rate"]["amount"]) > 0
        assert tx["rate"]["currency"] == "USD"
        assert re.search(r"\d+", tx["metadata"])


def test_shippo_orders_carry_the_order_number_in_a_known_form(all_shippo_orders):
    patterns = [re.escape(t).replace(r"\{n\}", r"\d+") for _, t, _ in NUMBER_FORMATS]
    for order in all_shippo_orders:
        assert order["order_status"] in SHIPPO_ORDER_STATUSES
        assert any(re.fullmatch(p, order["order_number"]) for p in patterns)
        assert {"name", "zip", "country"} <= set(order["to_address"])
        assert Decimal(order["total_price"]) >= 0


def test_tracks_list_history_with_status_dates(demo_brand, all_transactions):
    for tx in all_transactions[:200]:
        carrier = {"USPS": "usps", "UPS": "ups", "FedEx": "fedex"}[tx["rate"]["provider"]]
        track = demo_brand.track(carrier, tx["tracking_number"])
        assert track["transaction"] == tx["object_id"]
        assert track["tracking_status"]["status"] == tx["tracking_status"]
        assert all(ISO_MS.match(event["status_date"]) for event in track["tracking_history"])
