"""On PostgreSQL the database engine judges exactly as the in-memory engine, row by row.

The unit tests run each engine on its own database; here both judge the same shop, one with
every flag, duplicate numbers, odd number texts, probable matches and staff decisions.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from integrations.order_numbers import order_number_normalise
from reconciliation.engine import reconcile
from reconciliation.inmemory import full_judgement
from reconciliation.judge import LINK_COMPARED, RESULT_COMPARED
from reconciliation.models import Decision, LabelLink, MatchDecision, OrderResult
from tests.reconciliation.conftest import NOW

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def varied_shop(make_order, make_label, make_shippo_order) -> None:
    """Orders and labels raising every flag, in the forms numbers are written in."""
    for form in ("#{}", "Order #{}", "order {}", "SQ-{}", "0{}", "QB sync: Order #{} (gift)"):
        order = make_order()
        make_shippo_order(form.format(order.order_number))
        make_label(metadata=form.format(order.order_number))
    make_order(fulfillment_status="CANCELED")
    make_order(days_ago=0.2, fulfillment_status="PENDING")  # awaiting a label
    make_order(fulfillment_status="PENDING")  # missing in Shippo
    stuck = make_order(fulfillment_status="PENDING")
    make_shippo_order(f"Shippo note: {stuck.order_number}!")
    voided = make_order()
    make_label(metadata=voided.order_number, status="REFUNDED")
    twice = make_order()
    make_label(metadata=twice.order_number)
    make_label(metadata=twice.order_number, recipient_zip="78720")
    pending = make_order(fulfillment_status="PENDING", days_ago=20)
    make_label(metadata=pending.order_number, days_ago=19, tracking_status="UNKNOWN")
    make_label(metadata=make_order(ship_postal_code="K1A 0B1", ship_country="CA").order_number,
               recipient_zip="K1A 0B2", recipient_country="CA")  # fmt: skip
    make_label(metadata=make_order().order_number, tracking_status="RETURNED")
    make_label(metadata=make_order(days_ago=3).order_number, days_ago=0.5,
               tracking_status="PRE_TRANSIT")  # fmt: skip
    shared = make_order()
    make_order(number=shared.order_number, provider_order_id="dup")  # same number, later
    make_label(metadata=f"#{shared.order_number}")
    _probable_and_decided(make_order, make_label)
    make_label(metadata="gift for a friend", recipient_zip="10001")  # orphan


def _probable_and_decided(make_order: Any, make_label: Any) -> None:
    """Labels with no number: one probable, one confirmed by staff, one rejected."""
    make_order(ship_postal_code="30301", days_ago=12)
    make_label(metadata="", recipient_zip="30301", days_ago=11)
    confirmed = make_order(ship_postal_code="60601", days_ago=30)
    label = make_label(metadata="", recipient_zip="94110", days_ago=29)
    MatchDecision.objects.create(
        order=confirmed, label=label, decision=Decision.CONFIRM, decided_at=NOW
    )
    rejected = make_order(ship_postal_code="02134", days_ago=15)
    label = make_label(metadata="", recipient_zip="02134", days_ago=14)
    MatchDecision.objects.create(
        order=rejected, label=label, decision=Decision.REJECT, decided_at=NOW
    )


def test_both_engines_judge_every_order_and_label_alike(varied_shop):
    reconcile(full=True, now=NOW)
    judged = full_judgement(NOW)
    stored = {
        row[0]: dict(zip(RESULT_COMPARED, row[1:], strict=True))
        for row in OrderResult.objects.values_list("order_id", *RESULT_COMPARED)
    }
    expected = {pk: {f: row[f] for f in RESULT_COMPARED} for pk, row in judged.results.items()}
    assert stored == expected
    links = {
        row[0]: dict(zip(LINK_COMPARED, row[1:], strict=True))
        for row in LabelLink.objects.values_list("label_id", *LINK_COMPARED)
    }
    assert links == {pk: {f: row[f] for f in LINK_COMPARED} for pk, row in judged.links.items()}
    flags = {flag for row in expected.values() for flag in row["flags"]}
    assert {"excluded", "awaiting_label", "in_shippo_no_label", "zip_mismatch"} <= flags
    assert {"probable_match", "voided_only", "stale_tracking", "returned"} <= flags


def test_the_last_run_leaves_what_a_full_run_would_after_an_edit(varied_shop, make_label):
    reconcile(full=True, now=NOW)
    make_label(metadata="order 99999")  # names no order yet
    OrderResult.objects.update(recheck_at=NOW)  # every order due
    reconcile(now=NOW + timedelta(days=1))
    judged = full_judgement(NOW + timedelta(days=1))
    stored = dict(OrderResult.objects.values_list("order_id", "flags"))
    assert stored == {pk: row["flags"] for pk, row in judged.results.items()}


def _database_reads(text: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reconciliation_order_number(%s)", [text])
        row = cursor.fetchone()
    assert row is not None
    return None if row[0] is None else str(row[0])


@pytest.mark.parametrize(
    "text", ["1042", "#1042", "Order #1042", "ORDER #1042", "order 1042", "SQ-1042", "01042"]
)
def test_the_database_reads_the_usual_forms_itself(text):
    assert _database_reads(text) == "1042"


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="0123456789#OoRrDdEeSsQq- \t x\u017f\u0663\u3000", max_size=18))
@example("#0")
@example("0000000000001042")
@example("1234567890123")
@example("order  1042")
@example("Order #")
def test_the_database_reads_a_number_as_python_does_or_leaves_it_to_python(db, text):
    read = _database_reads(text)
    assert read is None or read == (order_number_normalise(text) or "")
