"""Every flag, on hand-built orders and labels, through a full reconciliation run."""

from datetime import timedelta

import pytest

from integrations.order_numbers import order_number_normalise
from reconciliation.engine import reconcile
from reconciliation.models import LabelLink, OrderResult
from reconciliation.rules import business_cutoff, business_days_between, sla_ends
from tests.reconciliation.conftest import NOW

pytestmark = pytest.mark.django_db


def flags_of(order):
    return OrderResult.objects.get(order=order).flags


def run() -> None:
    reconcile(full=True, now=NOW)


@pytest.mark.parametrize(
    "text", ["#1042", "Order #1042", "order 1042", "SQ-1042", "01042", "QB sync: Order #1042"]
)
def test_every_written_form_of_an_order_number_normalises_to_the_bare_number(text):
    assert order_number_normalise(text) == "1042"


def test_an_order_with_one_good_label_is_matched(make_order, make_label, make_shippo_order):
    order = make_order()
    make_shippo_order(f"#{order.order_number}")
    make_label(metadata=f"Order #{order.order_number}")
    run()
    result = OrderResult.objects.get(order=order)
    assert (result.bucket, result.flags, result.match_kind) == ("matched", [], "exact")


def test_cancelled_refunded_test_and_digital_orders_are_only_excluded(make_order):
    orders = [
        make_order(fulfillment_status="CANCELED"),
        make_order(refunded_total=5000),
        make_order(testmode=True),
        make_order(has_physical_items=False),
    ]
    run()
    assert [flags_of(o) for o in orders] == [["excluded"]] * 4


def test_a_recent_order_without_a_label_is_awaiting_one(make_order):
    order = make_order(created_on=NOW - timedelta(hours=5), fulfillment_status="PENDING")
    run()
    assert flags_of(order) == ["awaiting_label"]


def test_an_old_order_nowhere_in_shippo_is_missing_there(make_order):
    order = make_order(fulfillment_status="PENDING")
    run()
    assert flags_of(order) == ["missing_in_shippo"]


def test_an_old_order_in_shippo_without_a_label_is_stuck_there(make_order, make_shippo_order):
    order = make_order(fulfillment_status="PENDING")
    make_shippo_order(f"SQ-{order.order_number}")
    run()
    assert flags_of(order) == ["in_shippo_no_label"]


def test_a_fulfilled_order_without_a_valid_label_says_so(make_order):
    order = make_order()
    run()
    assert flags_of(order) == ["missing_in_shippo", "fulfilled_no_label"]


def test_a_pending_order_with_an_old_label_is_not_fulfilled(make_order, make_label):
    order = make_order(fulfillment_status="PENDING")
    make_label(metadata=order.order_number)
    run()
    assert flags_of(order) == ["label_not_fulfilled"]


def test_a_pending_order_with_a_fresh_label_is_not_flagged(make_order, make_label):
    order = make_order(fulfillment_status="PENDING")
    make_label(metadata=order.order_number, days_ago=0.5)
    run()
    assert flags_of(order) == []


def test_two_valid_labels_are_multiple_labels(make_order, make_label):
    order = make_order()
    make_label(metadata=order.order_number)
    make_label(metadata=f"#{order.order_number}")
    run()
    assert flags_of(order) == ["multiple_labels"]


def test_only_voided_labels_are_voided_only_and_stuck_in_shippo(
    make_order, make_label, make_shippo_order
):
    order = make_order(fulfillment_status="PENDING")
    make_shippo_order(order.order_number)
    make_label(metadata=order.order_number, status="REFUNDED")
    run()
    assert flags_of(order) == ["in_shippo_no_label", "voided_only"]


def test_a_label_to_another_zip_is_a_zip_mismatch_but_zip_plus_four_is_not(make_order, make_label):
    typo, plus_four = make_order(), make_order(ship_postal_code="78702-1234")
    make_label(metadata=typo.order_number, recipient_zip="78720")
    make_label(metadata=plus_four.order_number, recipient_zip="78702")
    run()
    assert (flags_of(typo), flags_of(plus_four)) == (["zip_mismatch"], [])


def test_a_postal_code_abroad_is_compared_whole(make_order, make_label):
    order = make_order(ship_postal_code="K1A 0B1", ship_country="CA")
    make_label(metadata=order.order_number, recipient_zip="K1A 0B2", recipient_country="CA")
    run()
    assert flags_of(order) == ["zip_mismatch"]


@pytest.mark.parametrize("status", ["PRE_TRANSIT", "UNKNOWN"])
def test_an_old_label_that_never_moved_is_stale(make_order, make_label, status):
    order = make_order(days_ago=20)
    make_label(metadata=order.order_number, tracking_status=status, days_ago=19)
    run()
    assert flags_of(order) == ["stale_tracking"]


def test_a_returned_parcel_is_returned(make_order, make_label):
    order = make_order()
    make_label(metadata=order.order_number, tracking_status="RETURNED")
    run()
    assert flags_of(order) == ["returned"]


def test_a_label_naming_no_order_is_an_orphan(make_label):
    label = make_label(metadata="gift for a friend", recipient_zip="10001")
    run()
    assert LabelLink.objects.get(label=label).orphan


def test_a_label_at_the_same_place_soon_after_is_a_probable_match_with_a_confidence(
    make_order, make_label
):
    order = make_order()
    label = make_label(metadata="", days_ago=9)
    run()
    result = OrderResult.objects.get(order=order)
    assert result.flags == ["probable_match"]
    assert result.match_kind == "probable"
    assert result.confidence is not None
    assert 0 < result.confidence < 1
    assert LabelLink.objects.get(label=label).order_id == order.pk


def test_the_primary_bucket_is_the_first_flag_in_the_issues_order(make_order, make_label):
    order = make_order(fulfillment_status="PENDING", days_ago=20)
    make_label(metadata=order.order_number, tracking_status="RETURNED", days_ago=19)
    make_label(metadata=order.order_number, recipient_zip="99999", days_ago=19)
    run()
    result = OrderResult.objects.get(order=order)
    assert result.flags == ["label_not_fulfilled", "multiple_labels", "zip_mismatch", "returned"]
    assert result.bucket == "label_not_fulfilled"


def test_business_days_skip_weekends():
    wednesday_noon = NOW
    assert business_cutoff(wednesday_noon, 2) == wednesday_noon - timedelta(days=2)
    monday = wednesday_noon - timedelta(days=2)
    assert business_cutoff(monday, 2) == monday - timedelta(days=4)  # back to Thursday
    assert business_days_between(monday - timedelta(days=7), monday) == 5


def _sla_ends_by_search(created_on, days):
    """The first moment past the SLA, found by trying every candidate moment."""
    candidates = []
    for step in range(days, days + 9):
        moment = created_on + timedelta(days=step)
        midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        candidates += [moment + timedelta(microseconds=1), midnight, midnight + timedelta(days=1)]
    return min(t for t in candidates if created_on < business_cutoff(t, days))


@pytest.mark.parametrize("days", [0, 1, 2, 3, 5])
def test_the_sla_ends_at_the_first_moment_the_order_is_past_it(days):
    for hours in range(0, 24 * 14, 5):
        created = NOW + timedelta(hours=hours, minutes=hours % 60, microseconds=hours)
        assert sla_ends(created, days) == _sla_ends_by_search(created, days)
    midnight = NOW.replace(hour=0)
    assert sla_ends(midnight, days) == _sla_ends_by_search(midnight, days)
