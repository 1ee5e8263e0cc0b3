"""Syncing Shippo from the sandbox over loopback: ground truth, reruns and faults."""

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Sum

from integrations.connections import connection_sync
from integrations.models import (
    Connection,
    ConnectionStatus,
    Label,
    Rate,
    Shipment,
    ShippoOrder,
    SyncRun,
    SyncStatus,
)
from sandbox.brand import Brand

from .conftest import TOKEN

pytestmark = pytest.mark.django_db(transaction=True)


def brand_labels(brand: Brand) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    page = 1
    while True:
        got = brand.transactions_page(page=page, results=100)
        results += got.results
        if len(results) >= got.count:
            return results
        page += 1


def snapshot() -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for model in (Shipment, Rate, Label, ShippoOrder):
        rows += [tuple(r.values()) for r in model.objects.order_by("object_id").values()]
    return rows


def sync(connection: Connection) -> list[SyncRun]:
    return connection_sync(connection_id=connection.pk, trigger="test")


def test_connect_then_sync_stores_exactly_the_brands_labels_and_orders(connection, brand):
    call_command("sync", "shippo")
    truth = brand.truth
    assert Label.objects.count() == truth.labels_valid + truth.labels_voided
    assert Label.objects.valid().count() == truth.labels_valid
    assert Label.objects.exclude(status="SUCCESS").count() == truth.labels_voided
    assert ShippoOrder.objects.count() == truth.shippo_orders
    assert Shipment.objects.count() == Label.objects.count()
    labels = brand_labels(brand)
    cost = sum(Decimal(tx["rate"]["amount"]) for tx in labels) * 100
    assert Label.objects.aggregate(total=Sum("label_cost"))["total"] == cost
    statuses = Counter(Label.objects.valid().values_list("tracking_status", flat=True))
    assert statuses == +truth.tracking_statuses


def test_labels_carry_carrier_service_recipient_and_their_shippo_order(connection, brand):
    sync(connection)
    label = Label.objects.get(object_id=brand_labels(brand)[0]["object_id"])
    tx = brand.transaction(label.object_id)
    shipment = brand.shipment(tx["rate"]["shipment"])
    assert label.carrier == tx["rate"]["provider"].lower()
    assert label.service_level == tx["rate"]["servicelevel_name"]
    assert label.recipient_name == shipment["address_to"]["name"]
    assert label.recipient_zip == shipment["address_to"]["zip"]
    assert label.shippo_order_object_id == tx["order"]
    assert ShippoOrder.objects.filter(object_id=tx["order"]).exists()
    assert label.tracking_status_at is not None
    assert Rate.objects.filter(shipment__object_id=shipment["object_id"]).count() == 2


def test_a_second_sync_changes_nothing(connection):
    sync(connection)
    before = snapshot()
    runs = sync(connection)
    assert [run.status for run in runs] == [SyncStatus.SUCCEEDED] * 3
    assert all(run.rows_inserted == run.rows_updated == 0 for run in runs)
    assert snapshot() == before


def test_a_second_sync_reads_only_the_recent_window(connection):
    sync(connection)
    runs = {run.stream: run for run in sync(connection)}
    assert runs["shipments"].rows_read < Shipment.objects.count()
    assert runs["labels"].rows_read < Label.objects.count()


def test_a_tracking_change_reaches_the_label_on_the_next_sync(connection, shippo_platform, brand):
    sync(connection)
    label = Label.objects.valid().order_by("-object_created")[0]
    assert label.tracking_status_at is not None
    when = label.tracking_status_at.replace(year=label.tracking_status_at.year + 1)
    shippo_platform.tracking_update(
        carrier=label.carrier, tracking_number=label.tracking_number, status="RETURNED", at=when
    )
    runs = {run.stream: run for run in sync(connection)}
    assert runs["labels"].rows_updated == 1
    label.refresh_from_db()
    assert (label.tracking_status, label.tracking_status_at) == ("RETURNED", when)


# Every fault class mid-listing is in tests/reliability/test_sandbox_faults.py.


def test_a_malformed_page_fails_the_run_after_whole_pages_and_the_next_run_completes(
    connection, shippo_platform, brand
):
    shippo_platform.faults.arm("transactions", "none")
    shippo_platform.faults.arm("transactions", "malformed")
    runs = {run.stream: run for run in sync(connection)}
    assert runs["labels"].status == SyncStatus.FAILED
    assert "malformed JSON" in runs["labels"].error
    assert Label.objects.count() == 100  # page one, whole; nothing of page two
    assert runs["shippo_orders"].status == SyncStatus.SUCCEEDED
    runs = {run.stream: run for run in sync(connection)}
    assert runs["labels"].status == SyncStatus.SUCCEEDED
    assert Label.objects.count() == brand.truth.labels_valid + brand.truth.labels_voided


def test_a_page_with_a_hostile_record_is_refused_whole(connection, shippo_platform, monkeypatch):
    original = shippo_platform._transactions_page

    def poisoned(page, results, since):
        found = original(page, results, since)
        if page == 2:
            found.results[-1] = {**found.results[-1], "tracking_status": "IN_ORBIT"}
        return found

    monkeypatch.setattr(shippo_platform, "_transactions_page", poisoned)
    runs = {run.stream: run for run in sync(connection)}
    assert runs["labels"].status == SyncStatus.FAILED
    assert runs["labels"].error == "shippo: transaction 99: tracking_status is not a known value"
    assert Label.objects.count() == 100


def test_an_expired_token_fails_the_run_and_the_connection_needs_reconnecting(
    connection, shippo_platform, brand
):
    shippo_platform.faults.arm("shipments", "expired_token")
    runs = sync(connection)
    assert runs[0].status == SyncStatus.FAILED
    assert runs[0].error_permanent
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_RECONNECT
    assert sync(connection) == []  # no fetching until reconnected
    call_command("connect", "shippo", "--api-key", TOKEN)
    assert [run.status for run in sync(connection)] == [SyncStatus.SUCCEEDED] * 3
    assert Label.objects.count() == brand.truth.labels_valid + brand.truth.labels_voided
