import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sandbox.brand.truth import FLAGS


def _minor(money: dict[str, Any]) -> int:
    return int(Decimal(money["value"]) * 100)


def _number(text: str) -> str:
    """Recover the Squarespace order number from however Shippo has it written."""
    found = re.search(r"\d+", text)
    assert found is not None
    return str(int(found.group()))


def test_truth_totals_match_the_rendered_orders(demo_brand, all_orders):
    truth = demo_brand.truth
    assert len(all_orders) == truth.orders == demo_brand.total
    assert Counter(o["fulfillmentStatus"] for o in all_orders) == truth.orders_by_status
    assert sum(len(o["lineItems"]) for o in all_orders) == truth.line_count
    assert sum(_minor(o["grandTotal"]) for o in all_orders) == truth.grand_total_minor["USD"]
    assert sum(_minor(o["refundedTotal"]) for o in all_orders) == truth.refunded_total_minor["USD"]
    assert sum(o["testmode"] for o in all_orders) == truth.testmode_orders


def test_truth_counts_match_the_rendered_shippo_objects(
    demo_brand, all_transactions, all_shippo_orders
):
    truth = demo_brand.truth
    statuses = Counter(tx["status"] for tx in all_transactions)
    assert statuses["SUCCESS"] == truth.labels_valid
    assert statuses["REFUNDED"] == truth.labels_voided
    assert len(all_shippo_orders) == truth.shippo_orders
    assert len({o["object_id"] for o in all_shippo_orders}) == truth.shippo_orders


def _shippo_by_number(
    all_transactions: list[dict[str, Any]], all_shippo_orders: list[dict[str, Any]]
) -> tuple[defaultdict[str, list[dict[str, Any]]], dict[str, dict[str, Any]]]:
    """Index the Shippo side by Squarespace order number, as reconciliation would."""
    labels: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for tx in all_transactions:
        labels[_number(tx["metadata"])].append(tx)
    orders = {_number(o["order_number"]): o for o in all_shippo_orders}
    return labels, orders


def test_every_broken_order_really_is_broken_that_way(
    demo_brand, all_orders, all_transactions, all_shippo_orders
):
    labels, shippo_orders = _shippo_by_number(all_transactions, all_shippo_orders)
    stale_before = demo_brand.anchor - timedelta(days=7)
    settled_before = demo_brand.anchor - timedelta(days=2)
    for order in all_orders:
        number = order["orderNumber"]
        flags = demo_brand.truth.breakages.get(number, frozenset())
        if "excluded" in flags:
            continue
        good = [tx for tx in labels[number] if tx["status"] == "SUCCESS"]
        fulfilled = order["fulfillmentStatus"] == "FULFILLED"
        assert ("missing_in_shippo" in flags) == (
            number not in shippo_orders
            and number not in demo_brand.truth.awaiting_label
            and not good
            and not labels[number]
        ), number
        assert ("fulfilled_no_label" in flags) == (fulfilled and not good)
        assert ("label_not_fulfilled" in flags) == (
            order["fulfillmentStatus"] == "PENDING"
            and any(datetime.fromisoformat(tx["object_created"]) < settled_before for tx in good)
        )
        assert ("multiple_labels" in flags) == (len(good) > 1)
        if "voided_only" in flags:
            assert labels[number]
            assert not good
        if "in_shippo_no_label" in flags:
            assert shippo_orders[number]
            assert not good
            assert ("voided_only" in flags) == bool(labels[number])
        if "zip_mismatch" in flags:
            assert (
                shippo_orders[number]["to_address"]["zip"] != order["shippingAddress"]["postalCode"]
            )
        if "returned" in flags:
            assert any(tx["tracking_status"] == "RETURNED" for tx in good)
        if "stale_tracking" in flags:
            created = [
                datetime.fromisoformat(tx["object_created"])
                for tx in good
                if tx["tracking_status"] in {"PRE_TRANSIT", "UNKNOWN"}
            ]
            assert min(created) < stale_before


def test_unflagged_orders_have_one_good_label_and_are_fulfilled(
    demo_brand, all_orders, all_transactions, all_shippo_orders
):
    labels, shippo_orders = _shippo_by_number(all_transactions, all_shippo_orders)
    truth = demo_brand.truth
    clean = [o for o in all_orders if o["orderNumber"] not in truth.breakages]
    assert len(clean) > 0.7 * len(all_orders)
    for order in clean:
        number = order["orderNumber"]
        if number in truth.awaiting_label:
            continue
        good = [tx for tx in labels[number] if tx["status"] == "SUCCESS"]
        assert len(good) == 1, number
        assert order["fulfillmentStatus"] == "FULFILLED", number
        assert shippo_orders[number]["to_address"]["zip"] == order["shippingAddress"]["postalCode"]


def test_excluded_orders_are_cancelled_refunded_test_or_digital(demo_brand, all_orders):
    excluded = demo_brand.truth.flagged("excluded")
    for order in all_orders:
        reason = (
            order["fulfillmentStatus"] == "CANCELED"
            or order["paymentState"] == "REFUNDED"
            or order["testmode"]
            or all(ln["lineItemType"] == "DIGITAL" for ln in order["lineItems"])
        )
        assert (order["orderNumber"] in excluded) == reason
        if reason:
            assert demo_brand.truth.breakages[order["orderNumber"]] == {"excluded"}


def test_orders_awaiting_a_label_are_recent_and_unlabelled(
    demo_brand, all_orders, all_transactions
):
    labelled = {_number(tx["metadata"]) for tx in all_transactions if tx["status"] == "SUCCESS"}
    by_number = {o["orderNumber"]: o for o in all_orders}
    cutoff = demo_brand.awaiting_cutoff
    assert demo_brand.truth.awaiting_label
    for number in demo_brand.truth.awaiting_label:
        assert datetime.fromisoformat(by_number[number]["createdOn"]) >= cutoff
        assert number not in labelled


def test_the_number_format_in_shippo_is_recorded(demo_brand, all_shippo_orders):
    for shippo_order in all_shippo_orders[:300]:
        judged = demo_brand.order_truth(_number(shippo_order["order_number"]))
        assert judged is not None
        assert judged.number_format is not None
        if judged.number_format == "sq_prefix":
            assert shippo_order["order_number"].startswith("SQ-")
        if judged.number_format == "zero_padded":
            assert shippo_order["order_number"].startswith("0")


def test_breakages_use_only_the_reconciliation_vocabulary(demo_brand):
    used = {flag for flags in demo_brand.truth.breakages.values() for flag in flags}
    assert used == set(FLAGS)
