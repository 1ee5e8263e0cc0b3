"""A sandbox brand synced from Squarespace and Shippo, and hand-built rows for unit tests."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command

from integrations.connections import connection_sync
from integrations.http import RetryPolicy
from integrations.models import Connection, Label, Order, ShippoOrder
from sandbox.brand import Brand
from sandbox.platforms.squarespace import DEMO_API_KEY, Squarespace
from sandbox.server import SandboxOptions, build_sandbox
from sandbox.testing import running_sandbox

SHIPPO_TOKEN = "shippo_test_0123456789abcdef0123456789"
# A Wednesday noon, so the business-day arithmetic of the unit tests reads plainly.
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
_seeds = itertools.count(8101)
_numbers = itertools.count(5001)
_ids = itertools.count(1)


@dataclass
class SyncedBrand:
    brand: Brand
    url: str
    squarespace: Connection
    shippo: Connection

    def sync(self) -> None:
        for connection in (self.squarespace, self.shippo):
            connection_sync(connection_id=connection.pk, trigger="test")


@pytest.fixture
def synced_brand(settings: Any, monkeypatch: pytest.MonkeyPatch, db: None) -> Iterator[SyncedBrand]:
    """A 1,500-order brand on its own seed, connected and synced from both platforms."""
    sandbox = build_sandbox(SandboxOptions(seed=next(_seeds), orders=1500))
    platform = sandbox.platforms["squarespace"]
    assert isinstance(platform, Squarespace)
    fast = RetryPolicy(backoff_base=0.01, backoff_cap=0.05, max_retry_after=2, read_timeout=10)
    monkeypatch.setattr("integrations.squarespace.client.RETRY_POLICY", fast)
    monkeypatch.setattr("integrations.shippo.client.RETRY_POLICY", fast)
    with running_sandbox(sandbox) as url:
        settings.SQUARESPACE_API_URL = f"{url}/squarespace"
        settings.SHIPPO_API_URL = f"{url}/shippo"
        call_command("connect", "squarespace", "--api-key", DEMO_API_KEY, "--json")
        call_command("connect", "shippo", "--api-key", SHIPPO_TOKEN, "--json")
        synced = SyncedBrand(
            platform.brand,
            url,
            Connection.objects.get(provider="squarespace"),
            Connection.objects.get(provider="shippo"),
        )
        synced.sync()
        yield synced


# Hand-built rows


@pytest.fixture
def connection(db: None) -> Connection:
    return Connection.objects.create(provider="squarespace", external_account_id="shop")


@pytest.fixture
def shippo_connection(db: None) -> Connection:
    return Connection.objects.create(provider="shippo", external_account_id="shippo")


@pytest.fixture
def make_order(connection: Connection):
    def make(*, days_ago: float = 10, **fields: Any) -> Order:
        number = fields.pop("number", None) or str(next(_numbers))
        created = fields.pop("created_on", NOW - timedelta(days=days_ago))
        values: dict[str, Any] = {
            "connection": connection,
            "provider_order_id": f"o{number}",
            "order_number": number,
            "created_on": created,
            "modified_on": created,
            "fulfillment_status": "FULFILLED",
            "payment_state": "PAID",
            "currency": "USD",
            "grand_total": 5000,
            "ship_postal_code": "78702",
            "ship_country": "US",
            **fields,
        }
        return Order.objects.create(**values)

    return make


@pytest.fixture
def make_shippo_order(shippo_connection: Connection):
    def make(order_number: str, **fields: Any) -> ShippoOrder:
        return ShippoOrder.objects.create(
            connection=shippo_connection,
            object_id=f"so{next(_ids)}",
            order_number=order_number,
            **fields,
        )

    return make


@pytest.fixture
def make_label(shippo_connection: Connection):
    def make(*, days_ago: float = 9, **fields: Any) -> Label:
        created = fields.pop("object_created", NOW - timedelta(days=days_ago))
        n = next(_ids)
        values: dict[str, Any] = {
            "connection": shippo_connection,
            "object_id": f"tx{n}",
            "object_state": "VALID",
            "status": "SUCCESS",
            "object_created": created,
            "object_updated": created,
            "tracking_number": f"9400{n:012d}",
            "tracking_status": "DELIVERED",
            "recipient_zip": "78702",
            "recipient_country": "US",
            **fields,
        }
        return Label.objects.create(**values)

    return make
