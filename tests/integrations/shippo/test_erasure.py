"""A deletion carried out holds across Shippo syncs: an erased order's records stay anonymous.

Shippo keeps the recipient of every label and order and lists them again on each sync; the
sandbox below still answers with the erased person's name and ZIP.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from flux.hashing import hash_email
from flux.privacy.actions import DeletionSubject, deletion_request_create, deletion_request_process
from flux.privacy.models import DeletionSource
from integrations.connections import connection_sync
from integrations.models import Connection, Label, Order, Shipment, ShippoOrder, SyncRun
from integrations.order_numbers import order_number_normalise
from integrations.shippo.client import ShippoClient
from integrations.shippo.parse import label_parse, shipment_parse, shippo_order_parse
from integrations.shippo.sync import LabelsStream, ShipmentsStream, ShippoOrdersStream
from reconciliation.engine import reconcile
from reconciliation.models import Case, OrderResult
from sandbox.brand import Brand
from sandbox.platforms.shippo import ShippoPlatform
from sandbox.platforms.squarespace import DEMO_API_KEY, Squarespace
from sandbox.server import Sandbox, SandboxOptions
from sandbox.testing import running_sandbox

from .conftest import FAST, TOKEN

pytestmark = pytest.mark.django_db
# A small brand that no other test uses.
OPTIONS = SandboxOptions(seed=4301, orders=200)
FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Shop:
    brand: Brand
    shippo_platform: ShippoPlatform
    store: Connection
    shippo: Connection

    def sync(self, connection: Connection, *, full: bool = False) -> list[SyncRun]:
        return connection_sync(connection_id=connection.pk, full=full, trigger="test")


@pytest.fixture
def shop(settings: Any, monkeypatch: pytest.MonkeyPatch, db: None) -> Iterator[Shop]:
    """The brand's Squarespace store and Shippo account on loopback, both connected."""
    store, shippo = Squarespace(OPTIONS), ShippoPlatform(OPTIONS)
    monkeypatch.setattr("integrations.squarespace.client.RETRY_POLICY", FAST)
    monkeypatch.setattr("integrations.shippo.client.RETRY_POLICY", FAST)
    with running_sandbox(Sandbox([store, shippo])) as url:
        settings.SQUARESPACE_API_URL = f"{url}/squarespace"
        settings.SHIPPO_API_URL = f"{url}/shippo"
        call_command("connect", "squarespace", "--api-key", DEMO_API_KEY, "--json")
        call_command("connect", "shippo", "--api-key", TOKEN, "--json")
        yield Shop(
            store.brand,
            shippo,
            Connection.objects.get(provider="squarespace"),
            Connection.objects.get(provider="shippo"),
        )


def named(model: type[Label] | type[Shipment] | type[ShippoOrder], order: Order) -> list[Any]:
    """The stored Shippo rows whose metadata or order number names `order`."""
    field = "order_number" if model is ShippoOrder else "metadata"
    number = order.order_number
    rows = model._default_manager.filter(**{f"{field}__contains": number}).order_by("object_id")
    return [row for row in rows if order_number_normalise(getattr(row, field)) == number]


def shipped_orders(shop: Shop) -> list[Order]:
    """Placed orders whose Shippo order and valid labels all go to the order's own ZIP."""
    found = []
    for order in Order.objects.exclude(email_hash="").order_by("order_number"):
        labels = [label for label in named(Label, order) if label.is_valid]
        zips = {order.ship_postal_code} | {so.recipient_zip for so in named(ShippoOrder, order)}
        if labels and named(ShippoOrder, order) and {lb.recipient_zip for lb in labels} <= zips:
            found.append(order)
    return found


def labelled_orders(shop: Shop) -> list[Order]:
    """Stored orders of different customers that Shippo lists a label and an order for."""
    listed = shop.brand.transactions_page(page=1, results=100).results
    numbers = {order_number_normalise(tx["metadata"]) for tx in listed if tx["status"] == "SUCCESS"}
    found: dict[str, Order] = {}
    for order in Order.objects.filter(order_number__in=numbers).order_by("order_number"):
        if order.email_hash:
            found.setdefault(order.email_hash, order)
    return list(found.values())


def customer_email(shop: Shop, order: Order) -> str:
    placed = shop.brand.order_by_number(order.order_number)
    assert placed is not None
    email = str(placed["customerEmail"])
    assert hash_email(email) == order.email_hash
    return email


def erase(email: str, actor: User) -> None:
    """Carry out a deletion request for `email`, as staff do."""
    request = deletion_request_create(
        source=DeletionSource.FORM, subject=DeletionSubject.from_email(email)
    )
    deletion_request_process(request_id=request.pk, actor=actor)


def listed_recipient(shop: Shop, label: Label) -> tuple[str, str]:
    """The recipient's name and ZIP that the sandbox lists for a label."""
    transaction = shop.brand.transaction(label.object_id)
    assert transaction is not None
    shipment = shop.brand.shipment(transaction["rate"]["shipment"])
    assert shipment is not None
    return shipment["address_to"]["name"], shipment["address_to"]["zip"]


def assert_anonymous(orders: list[Order]) -> None:
    """The Shippo records of these orders lack what the eraser blanks, and keep the rest."""
    assert any(named(Label, order) and named(ShippoOrder, order) for order in orders)
    for order in orders:
        for row in [*named(Label, order), *named(Shipment, order)]:
            assert (row.recipient_name, row.recipient_zip) == ("", "")
            assert row.recipient_country
        for label in named(Label, order):  # what reconciliation reads stays
            assert label.tracking_number
            assert label.shippo_order_object_id
        for shippo_order in named(ShippoOrder, order):
            assert shippo_order.recipient_zip == ""
            assert shippo_order.recipient_country


def assert_in_full(shop: Shop, order: Order) -> None:
    """The Shippo records of this order hold the recipient as Shippo lists it."""
    labels = named(Label, order)
    assert labels
    stored = [(label.recipient_name, label.recipient_zip) for label in labels]
    assert stored == [listed_recipient(shop, label) for label in labels]
    assert all(name and zip_ for name, zip_ in stored)
    assert all(so.recipient_zip for so in named(ShippoOrder, order))


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Label, Shipment, ShippoOrder))


def test_a_shippo_sync_after_the_erasure_keeps_the_persons_labels_and_orders_anonymous(
    shop: Shop, operator: User
) -> None:
    shop.sync(shop.store)
    shop.sync(shop.shippo)
    mine, *others = shipped_orders(shop)
    theirs = next(order for order in others if order.email_hash != mine.email_hash)
    reconcile(full=True, now=shop.brand.anchor)
    flags = OrderResult.objects.get(order=mine).flags
    last_case = max(Case.objects.values_list("pk", flat=True), default=0)
    stored = counts()
    erased = list(Order.objects.filter(email_hash=mine.email_hash))
    erase(customer_email(shop, mine), operator)

    runs = shop.sync(shop.shippo, full=True)  # Shippo still lists the recipient in full

    assert [run.status for run in runs] == ["succeeded"] * 3
    assert all(all(listed_recipient(shop, label)) for label in named(Label, mine))
    assert_anonymous(erased)
    assert_in_full(shop, theirs)
    assert counts() == stored  # nothing duplicated
    assert [(run.rows_inserted, run.rows_updated) for run in runs] == [(0, 0)] * 3
    reconcile(full=True, now=shop.brand.anchor)
    assert OrderResult.objects.get(order=mine).flags == flags
    assert "zip_mismatch" not in OrderResult.objects.get(order=mine).flags
    assert not Case.objects.filter(pk__gt=last_case).exists()


def test_an_erased_persons_shippo_records_are_anonymous_from_their_first_sync(
    shop: Shop, operator: User
) -> None:
    shop.sync(shop.store)
    mine, theirs = labelled_orders(shop)[:2]
    erased = list(Order.objects.filter(email_hash=mine.email_hash))
    erase(customer_email(shop, mine), operator)

    runs = shop.sync(shop.shippo)

    truth = shop.brand.truth
    assert counts() == (truth.labels_valid + truth.labels_voided,) * 2 + (truth.shippo_orders,)
    assert_anonymous(erased)
    assert_in_full(shop, theirs)
    assert all(run.rows_updated == 0 for run in runs if run.stream != "shipments")


@pytest.mark.postgres
def test_on_postgres_an_erased_label_whose_tracking_moves_is_updated_and_stays_anonymous(
    shop: Shop, operator: User
) -> None:
    shop.sync(shop.store)
    shop.sync(shop.shippo)
    mine = shipped_orders(shop)[0]
    reconcile(full=True, now=shop.brand.anchor)
    last_case = max(Case.objects.values_list("pk", flat=True), default=0)
    erase(customer_email(shop, mine), operator)
    label = next(label for label in named(Label, mine) if label.is_valid)
    moved = (label.tracking_status_at or shop.brand.anchor) + timedelta(minutes=5)
    shop.shippo_platform.tracking_update(
        carrier=label.carrier, tracking_number=label.tracking_number, status="DELIVERED", at=moved
    )

    runs = {run.stream: run for run in shop.sync(shop.shippo, full=True)}

    assert (runs["labels"].rows_inserted, runs["labels"].rows_updated) == (0, 1)
    label.refresh_from_db()
    assert label.tracking_status == "DELIVERED"
    assert (label.recipient_name, label.recipient_zip) == ("", "")
    reconcile(now=shop.brand.anchor)  # the incremental run a sync queues
    assert "zip_mismatch" not in OrderResult.objects.get(order=mine).flags
    assert not Case.objects.filter(pk__gt=last_case).exists()


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return loaded


def test_a_label_known_only_through_its_shippo_order_is_anonymous_once_the_order_is_read(
    operator: User,
) -> None:
    store = Connection.objects.create(provider="squarespace", external_account_id="site")
    shippo = Connection.objects.create(provider="shippo", external_account_id="test")
    when = datetime(2026, 11, 1, tzinfo=UTC)
    Order.objects.create(
        connection=store, provider_order_id="o1042", order_number="1042", created_on=when,
        modified_on=when, fulfillment_status="FULFILLED", currency="USD",
        email_hash=hash_email("avery@example.com"), ship_postal_code="97035", ship_country="US",
    )  # fmt: skip
    erase("avery@example.com", operator)
    client = ShippoClient(token=TOKEN)
    # Neither the shipment nor the label names the order; only the Shippo order does.
    shipment = replace(shipment_parse(fixture("shipment")), metadata="")
    label = replace(label_parse(fixture("transaction")), metadata="")
    ShipmentsStream(client).write(shippo, [shipment])
    LabelsStream(client).write(shippo, [label])
    assert Label.objects.get().recipient_name == "Avery Quill"  # whose it is is not known yet

    ShippoOrdersStream(client).write(shippo, [shippo_order_parse(fixture("shippo_order"))])

    assert ShippoOrder.objects.get().recipient_zip == ""
    assert (Label.objects.get().recipient_name, Label.objects.get().recipient_zip) == ("", "")
    again = LabelsStream(client).write(shippo, [label])
    assert (again.inserted, again.updated) == (0, 0)
    assert Label.objects.get().recipient_name == ""
