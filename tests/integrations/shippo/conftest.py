"""A small Shippo sandbox on loopback, a connection made through `manage.py connect`, and a
label in transit with the webhook body Shippo sends when it is delivered."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command

from integrations.connections import connection_sync
from integrations.http import RetryPolicy
from integrations.models import Connection, Label
from integrations.shippo import client
from sandbox.brand import Brand
from sandbox.platforms._brand import brand_for
from sandbox.platforms.shippo import ShippoPlatform
from sandbox.server import Sandbox, SandboxOptions
from sandbox.testing import running_sandbox

OPTIONS = SandboxOptions(seed=41, orders=600)
TOKEN = "shippo_test_0123456789abcdef0123456789"
# Short waits so faults resolve quickly; a read timeout the slow fault outlasts.
FAST = RetryPolicy(backoff_base=0.01, backoff_cap=0.05, max_retry_after=2, read_timeout=1.0)


@pytest.fixture
def brand() -> Brand:
    return brand_for(OPTIONS)


@pytest.fixture
def shippo_platform() -> ShippoPlatform:
    platform = ShippoPlatform(OPTIONS)
    platform.slow_seconds = 1.5
    return platform


@pytest.fixture
def shippo_url(
    shippo_platform: ShippoPlatform, settings: object, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Serve the Shippo sandbox and point the app's SHIPPO_API_URL at it."""
    monkeypatch.setattr(client, "RETRY_POLICY", FAST)
    with running_sandbox(Sandbox([shippo_platform])) as url:
        settings.SHIPPO_API_URL = f"{url}/shippo"  # type: ignore[attr-defined]
        yield url


@pytest.fixture
def connection(shippo_url: str, db: None) -> Connection:
    call_command("connect", "shippo", "--api-key", TOKEN)
    return Connection.objects.get(provider="shippo")


@pytest.fixture
def synced(connection: Connection) -> Connection:
    connection_sync(connection_id=connection.pk, trigger="test")
    return connection


@pytest.fixture
def label(synced: Connection) -> Label:
    return Label.objects.valid().filter(tracking_status="TRANSIT")[0]


@pytest.fixture
def delivered(shippo_platform: ShippoPlatform, label: Label) -> dict[str, Any]:
    """The body Shippo sends when the label's parcel is delivered, a day after its last news."""
    assert label.tracking_status_at is not None
    at = label.tracking_status_at + timedelta(days=1)
    shippo_platform.tracking_update(
        carrier=label.carrier, tracking_number=label.tracking_number, status="DELIVERED", at=at
    )
    return shippo_platform.track_updated_body(
        carrier=label.carrier, tracking_number=label.tracking_number
    )
