"""A deletion request by email anonymises that person's orders and their Shippo records."""

from datetime import UTC, datetime

import pytest

from flux.hashing import hash_email, hash_identifier
from flux.privacy.erasure import erasure_run
from integrations.models import Connection, Label, Order, Shipment, ShippoOrder

pytestmark = pytest.mark.django_db
WHEN = datetime(2026, 5, 1, tzinfo=UTC)


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
