"""Incremental runs judge only what changed and end where a full run would; cases follow."""

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from integrations.models import Label, Order, ShippoOrder, SyncRun, SyncStatus
from reconciliation.cases import case_close
from reconciliation.digest import digest_send
from reconciliation.engine import reconcile
from reconciliation.models import Case, CaseStatus, LabelLink, OrderResult, ReconRun
from reconciliation.selectors import exception_counts
from reconciliation.tasks import reconcile_run
from tests.reconciliation.conftest import NOW

pytestmark = pytest.mark.django_db

COMPARED = (
    "order_id",
    "bucket",
    "flags",
    "label_ids",
    "tracking_numbers",
    "match_kind",
    "in_shippo",
)


def snapshot() -> tuple[list[Any], list[Any]]:
    results = sorted(OrderResult.objects.values_list(*COMPARED))
    links = sorted(LabelLink.objects.values_list("label_id", "order_id", "kind", "orphan"))
    return results, links


@pytest.fixture
def shop(make_order, make_label, make_shippo_order):
    orders = [make_order(days_ago=10 + n) for n in range(12)]
    for order in orders[:10]:
        make_shippo_order(f"Order #{order.order_number}")
        make_label(metadata=f"#{order.order_number}", days_ago=9 + orders.index(order))
    return orders


def test_an_incremental_run_judges_only_what_changed_and_equals_a_full_run(shop, make_label):
    reconcile(full=True, now=NOW)
    later = NOW - timedelta(hours=1)
    Order.objects.filter(pk=shop[0].pk).update(fulfillment_status="PENDING", modified_on=later)
    label = Label.objects.filter(metadata=f"#{shop[1].order_number}").get()
    Label.objects.filter(pk=label.pk).update(tracking_status="RETURNED", object_updated=later)
    make_label(metadata=shop[10].order_number)
    summary = reconcile(now=NOW)
    assert not summary.full
    assert summary.orders_evaluated < len(shop)
    assert summary.results_written == 3
    incremental = snapshot()
    reconcile(full=True, now=NOW)
    assert snapshot() == incremental
    flags = dict(OrderResult.objects.values_list("order_id", "flags"))
    assert flags[shop[1].pk] == ["returned"]
    assert flags[shop[10].pk] == []


def test_a_run_with_nothing_changed_writes_nothing(shop):
    reconcile(full=True, now=NOW)
    assert reconcile(now=NOW).results_written == 0
    assert reconcile(full=True, now=NOW).results_written == 0


def test_time_alone_moves_an_order_from_awaiting_to_missing(make_order):
    order = make_order(created_on=NOW - timedelta(hours=2), fulfillment_status="PENDING")
    reconcile(full=True, now=NOW)
    assert OrderResult.objects.get(order=order).flags == ["awaiting_label"]
    reconcile(now=NOW + timedelta(days=4))
    assert OrderResult.objects.get(order=order).flags == ["missing_in_shippo"]


def test_a_resolved_case_reopens_when_its_problem_comes_back(shop, operator):
    reconcile(full=True, now=NOW)
    broken = shop[11]
    case = Case.objects.get(order=broken)
    case_close(case=case, status=CaseStatus.RESOLVED, reason="label bought", actor=operator)
    label = Label.objects.create(
        connection=Label.objects.get(metadata=f"#{shop[0].order_number}").connection,
        object_id="fix", object_state="VALID",
        status="SUCCESS", object_created=NOW - timedelta(days=5),
        object_updated=NOW - timedelta(days=5), tracking_number="94001",
        tracking_status="DELIVERED",
        recipient_zip="78702", recipient_country="US", metadata=broken.order_number,
    )  # fmt: skip
    reconcile(now=NOW)
    case.refresh_from_db()
    assert (case.status, case.active) == (CaseStatus.RESOLVED, False)
    Label.objects.filter(pk=label.pk).update(status="REFUNDED", object_updated=NOW)
    reconcile(now=NOW)
    case.refresh_from_db()
    assert (case.status, case.active, case.reopened_count) == (CaseStatus.OPEN, True, 1)


def test_reconcile_json_lists_every_order_and_orphan_with_the_contract_keys(shop, make_label):
    make_label(metadata="no number", recipient_zip="10001")
    out = StringIO()
    call_command("reconcile", "--full", "--json", stdout=out)
    items = json.loads(out.getvalue())
    assert isinstance(items, list)
    assert len(items) == len(shop) + 1
    for item in items:
        assert {"order_number", "bucket", "flags", "tracking_numbers", "age_days"} <= item.keys()
        assert isinstance(item["flags"], list)
        assert isinstance(item["tracking_numbers"], list)
        assert isinstance(item["age_days"], int)
    orphans = [i for i in items if i["order_number"] is None]
    assert [o["bucket"] for o in orphans] == ["orphan_label"]
    assert all(isinstance(i["order_number"], str) for i in items if i not in orphans)


def test_the_plain_command_prints_a_summary():
    out = StringIO()
    call_command("reconcile", stdout=out)
    assert "Reconciled (full)" in out.getvalue()


def test_exception_counts_name_every_bucket(shop):
    reconcile(full=True, now=NOW)
    counts = exception_counts()
    assert counts["matched"] == 10
    assert counts["missing_in_shippo"] == 2
    assert counts["orphan_label"] == 0


def test_the_digest_lists_new_and_overdue_exceptions_without_personal_data(shop, operator):
    operator.email = "ops@flux-engineering.example"
    operator.save()
    Order.objects.filter(pk=shop[11].pk).update(email_hash="h" * 64, ship_city="Springfield")
    reconcile(full=True, now=NOW)
    assert digest_send() == 1
    message = mail.outbox[0]
    assert message.to == ["ops@flux-engineering.example"]
    assert f"Order #{shop[11].order_number}: missing_in_shippo, fulfilled_no_label" in message.body
    assert "Overdue exceptions: 2" in message.body
    assert "Springfield" not in message.body
    assert "h" * 64 not in message.body


def test_no_digest_goes_out_without_exceptions(operator):
    operator.email = "ops@flux-engineering.example"
    operator.save()
    assert digest_send() == 0
    assert mail.outbox == []


def test_a_label_waiting_for_its_order_is_linked_when_the_order_arrives(make_order, make_label):
    label = make_label(metadata="Order #8801", recipient_zip="10001")
    reconcile(full=True, now=NOW)
    assert LabelLink.objects.get(label=label).orphan
    order = make_order(number="8801", ship_postal_code="10001")
    summary = reconcile(now=NOW)
    assert not summary.full
    link = LabelLink.objects.get(label=label)
    assert (link.order_id, link.orphan) == (order.pk, False)
    assert OrderResult.objects.get(order=order).flags == []
    assert not Case.objects.get(label=label).active


def test_a_shippo_order_arriving_moves_an_order_from_missing_to_stuck(
    make_order, make_shippo_order
):
    order = make_order(fulfillment_status="PENDING")
    reconcile(full=True, now=NOW)
    assert OrderResult.objects.get(order=order).flags == ["missing_in_shippo"]
    make_shippo_order(f"SQ-{order.order_number}")
    reconcile(now=NOW)
    assert OrderResult.objects.get(order=order).flags == ["in_shippo_no_label"]


@pytest.mark.postgres
def test_an_edited_shippo_order_number_moves_both_orders(make_order, make_shippo_order):
    first, second = (
        make_order(fulfillment_status="PENDING"),
        make_order(fulfillment_status="PENDING"),
    )
    shippo = make_shippo_order(f"Order #{first.order_number}")
    reconcile(full=True, now=NOW)
    ShippoOrder.objects.filter(pk=shippo.pk).update(order_number=f"Order #{second.order_number}")
    reconcile(now=NOW)
    flags = dict(OrderResult.objects.values_list("order_id", "flags"))
    assert (flags[first.pk], flags[second.pk]) == (["missing_in_shippo"], ["in_shippo_no_label"])


def test_a_new_label_without_a_number_is_matched_probably_to_an_unchanged_order(
    make_order, make_label
):
    order = make_order(ship_postal_code="30301")
    reconcile(full=True, now=NOW)
    assert OrderResult.objects.get(order=order).flags == ["missing_in_shippo", "fulfilled_no_label"]
    label = make_label(metadata="", recipient_zip="30301")
    summary = reconcile(now=NOW)
    assert not summary.full
    result = OrderResult.objects.get(order=order)
    assert (result.flags, result.match_kind) == (["probable_match"], "probable")
    assert LabelLink.objects.get(label=label).order_id == order.pk


def _synced(connection: Any, *streams: str) -> None:
    for stream in streams:
        SyncRun.objects.create(connection=connection, stream=stream, status=SyncStatus.SUCCEEDED)


def test_no_run_until_both_sides_have_synced_once(make_order, connection, shippo_connection):
    """Orders synced before any Shippo data would all look missing: no run, no cases."""
    make_order(days_ago=30)
    _synced(connection, "orders")
    assert reconcile_run(full=True) == 0
    _synced(shippo_connection, "labels")
    assert reconcile_run(full=True) == 0  # Shippo's orders are not in yet
    assert not ReconRun.objects.exists()
    assert not Case.objects.exists()
    SyncRun.objects.create(connection=shippo_connection, stream="shippo_orders", status="failed")
    assert reconcile_run(full=True) == 0  # only a finished sync counts
    _synced(shippo_connection, "shippo_orders")
    run_id = reconcile_run(full=True)
    assert ReconRun.objects.get().pk == run_id
    assert list(OrderResult.objects.values_list("bucket", flat=True)) == ["missing_in_shippo"]
