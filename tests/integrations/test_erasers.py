"""A deletion request by email anonymises that person's orders and their Shippo records."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flux.hashing import hash_email, hash_identifier
from flux.privacy.actions import DeletionSubject, deletion_request_create, deletion_request_process
from flux.privacy.erasure import erasure_run
from flux.privacy.models import DeletionSource
from integrations.models import Connection, Label, Order, Shipment, ShippoOrder
from integrations.squarespace.parse import order_parse
from integrations.squarespace.sync import orders_write

pytestmark = pytest.mark.django_db
WHEN = datetime(2026, 5, 1, tzinfo=UTC)
ORDER_FIXTURE = Path(__file__).parent / "squarespace" / "fixtures" / "order.json"


@pytest.fixture
def store():
    return Connection.objects.create(
        provider="squarespace", external_account_id="site", display_name="Store"
    )


@pytest.fixture
def shippo():
    return Connection.objects.create(
        provider="shippo", external_account_id="test", display_name="Shippo"
    )


def order(store, number: str, email: str) -> Order:
    return Order.objects.create(
        connection=store,
        provider_order_id=f"id{number}",
        order_number=number,
        created_on=WHEN,
        modified_on=WHEN,
        fulfillment_status="FULFILLED",
        currency="USD",
        grand_total=4999,
        email_hash=hash_email(email),
        ship_city="Austin",
        ship_state="TX",
        ship_postal_code="78701",
        ship_country="US",
    )


def label(shippo, object_id: str, metadata: str, shippo_order: str = "") -> Label:
    return Label.objects.create(
        connection=shippo,
        object_id=object_id,
        object_state="VALID",
        status="SUCCESS",
        object_created=WHEN,
        object_updated=WHEN,
        recipient_name="Pat Doe",
        recipient_zip="78701",
        recipient_country="US",
        metadata=metadata,
        shippo_order_object_id=shippo_order,
    )


def test_the_persons_orders_and_shipping_records_lose_their_personal_parts(store, shippo):
    mine = order(store, "1042", "Pat@Example.com ")
    theirs = order(store, "1043", "someone@else.example")
    ShippoOrder.objects.create(
        connection=shippo, object_id="so1", order_number="SQ-1042", recipient_zip="78701"
    )
    by_metadata = label(shippo, "t1", "Order #1042")
    by_shippo_order = label(shippo, "t2", "", shippo_order="so1")
    other = label(shippo, "t3", "Order #1043")
    Shipment.objects.create(
        connection=shippo,
        object_id="s1",
        object_created=WHEN,
        object_updated=WHEN,
        recipient_name="Pat Doe",
        recipient_zip="78701",
        metadata="#01042",
    )

    counts = erasure_run(subject_hash=hash_email("pat@example.com"), subject_kind="email")

    assert counts["integrations.synced_orders_and_shipments"] == 5
    mine.refresh_from_db()
    assert (mine.email_hash, mine.ship_postal_code, mine.ship_city) == ("", "", "")
    assert mine.grand_total == 4999  # the brand's accounting stays
    for kept in (by_metadata, by_shippo_order):
        kept.refresh_from_db()
        assert (kept.recipient_name, kept.recipient_zip) == ("", "")
    assert Shipment.objects.get().recipient_name == ""
    assert ShippoOrder.objects.get().recipient_zip == ""
    theirs.refresh_from_db()
    other.refresh_from_db()
    assert theirs.email_hash == hash_email("someone@else.example")
    assert other.recipient_name == "Pat Doe"


def test_a_meta_user_id_erases_no_synced_rows(store):
    order(store, "1042", "pat@example.com")
    counts = erasure_run(subject_hash=hash_identifier("meta:123"), subject_kind="meta_user_id")
    assert counts["integrations.synced_orders_and_shipments"] == 0
    assert Order.objects.get().email_hash != ""


def test_a_sync_after_the_erasure_does_not_bring_the_person_back(store, operator):
    placed = order_parse(json.loads(ORDER_FIXTURE.read_text()))  # Pat.Doe@Example.com, Portland
    orders_write(connection=store, records=[placed])
    request = deletion_request_create(
        source=DeletionSource.FORM, subject=DeletionSubject.from_email("pat.doe@example.com")
    )
    deletion_request_process(request_id=request.pk, actor=operator)
    assert Order.objects.get().email_hash == ""

    # The store still holds the order; an edit there, or a full sync, reads it again.
    edited = replace(placed, modified_on=placed.modified_on + timedelta(days=1))
    orders_write(connection=store, records=[edited])

    stored = Order.objects.get()
    assert (stored.email_hash, stored.ship_city, stored.ship_state, stored.ship_postal_code) == (
        "", "", "", "",
    )  # fmt: skip
    assert stored.ship_country == "US"
    assert stored.modified_on == edited.modified_on


def test_a_sync_keeps_the_people_who_asked_for_nothing(store):
    placed = order_parse(json.loads(ORDER_FIXTURE.read_text()))
    deletion_request_create(  # asked, but not carried out yet
        source=DeletionSource.FORM, subject=DeletionSubject.from_email("pat.doe@example.com")
    )
    orders_write(connection=store, records=[placed])
    assert Order.objects.get().email_hash == hash_email("pat.doe@example.com")
