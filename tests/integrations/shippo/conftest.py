"""A small Shippo sandbox on loopback, and a connection made through `manage.py connect`."""

from collections.abc import Iterator

import pytest
from django.core.management import call_command

from integrations.http import RetryPolicy
from integrations.models import Connection
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
