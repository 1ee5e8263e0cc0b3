"""A Meta sandbox on loopback at a fixed "now", the app pointed at it, and connections."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.management import call_command

from integrations.models import Connection
from sandbox.brand.meta import MetaAccount, MetaBrand
from sandbox.platforms.meta import SYSTEM_USER_TOKEN, MetaApp, MetaPlatform
from sandbox.server import Sandbox, SandboxOptions
from sandbox.testing import running_sandbox

ANCHOR = datetime(2026, 11, 20, tzinfo=UTC)


@dataclass
class Graph:
    platform: MetaPlatform
    url: str
    sleeps: list[float] = field(default_factory=list)

    @property
    def brand(self) -> MetaBrand:
        return self.platform.brand

    @property
    def usd(self) -> MetaAccount:
        return self.brand.accounts[0]

    def window(self, account: MetaAccount) -> tuple[date, date]:
        """The days synced when the first full sync ran at the anchor, through today."""
        return self.brand.window_start(account), self.brand.local_today(account)


@pytest.fixture
def graph(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Graph]:
    """The sandbox at a fixed anchor; the app's clock and sleeps follow the sandbox's."""
    platform = MetaPlatform(SandboxOptions(seed=5), anchor=ANCHOR)
    platform.slow_seconds = 1.5
    with running_sandbox(Sandbox([platform])) as url:
        found = Graph(platform, f"{url}/meta")
        settings.META_GRAPH_URL = found.url
        settings.META_DIALOG_URL = found.url
        settings.META_APP_ID, settings.META_APP_SECRET = MetaApp.app_id, MetaApp.app_secret
        monkeypatch.setattr("integrations.meta.sync.now", lambda: platform.brand.now)
        monkeypatch.setattr("integrations.meta.client.pause", found.sleeps.append)
        monkeypatch.setattr("integrations.meta.client.TIMEOUT_SECONDS", 0.5)
        yield found


def connect_key(account: str) -> Connection:
    """Connect the sandbox's system-user token to `account` the shell way."""
    call_command("connect", "meta", "--api-key", SYSTEM_USER_TOKEN, "--account", account, "--json")
    return Connection.objects.get(provider="meta", external_account_id=account)


@pytest.fixture
def key_connection(graph: Graph, db: None) -> Connection:
    return connect_key(graph.usd.act_id)
