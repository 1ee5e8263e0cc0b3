"""A Squarespace sandbox on loopback with a small brand, and connections to it."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.management import call_command

from integrations.connections import connection_connect
from integrations.http import RetryPolicy
from integrations.models import Connection
from integrations.providers import registry
from sandbox.brand import Brand
from sandbox.platforms.squarespace import DEMO_API_KEY, Squarespace, SquarespaceApp
from sandbox.server import SandboxOptions, build_sandbox
from sandbox.testing import running_sandbox

ORDERS = 600
REDIRECT = "http://127.0.0.1:8000/oauth/squarespace/callback"
# The brand is shared per seed across a process, and tests edit it: one seed per test.
_seeds = itertools.count(7001)


@dataclass
class Site:
    platform: Squarespace
    url: str

    @property
    def brand(self) -> Brand:
        return self.platform.brand


@pytest.fixture
def site(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """A sandbox with a 600-order brand, the app pointed at it, and short timeouts."""
    sandbox = build_sandbox(SandboxOptions(seed=next(_seeds), orders=ORDERS))
    platform = sandbox.platforms["squarespace"]
    assert isinstance(platform, Squarespace)
    platform.slow_seconds, platform.retry_after = 2.5, "1"
    fast = RetryPolicy(backoff_base=0.01, backoff_cap=0.05, max_retry_after=2, read_timeout=1.5)
    monkeypatch.setattr("integrations.squarespace.client.RETRY_POLICY", fast)
    with running_sandbox(sandbox) as url:
        settings.SQUARESPACE_API_URL = f"{url}/squarespace"
        settings.SQUARESPACE_OAUTH_URL = f"{url}/squarespace"
        settings.SQUARESPACE_CLIENT_ID = SquarespaceApp.client_id
        settings.SQUARESPACE_CLIENT_SECRET = SquarespaceApp.client_secret
        yield Site(platform, url)


@pytest.fixture
def key_connection(site: Site, db: None) -> Connection:
    """A connection made the shell way: manage.py connect squarespace --api-key."""
    call_command("connect", "squarespace", "--api-key", DEMO_API_KEY, "--json")
    return Connection.objects.get(provider="squarespace")


def consent_code(site: Site) -> str:
    """Walk the sandbox consent page and return the code it sends back."""
    adapter = registry.get("squarespace")
    url = adapter.oauth_start(state="s-1", redirect_uri=REDIRECT).url
    answer = requests.get(url, allow_redirects=False, timeout=5)
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


@pytest.fixture
def oauth_connection(site: Site, db: None) -> Connection:
    """A connection made through the OAuth grant, with its webhook subscription."""
    adapter = registry.get("squarespace")
    grant = adapter.oauth_finish(code=consent_code(site), redirect_uri=REDIRECT, code_verifier="")
    return connection_connect(provider="squarespace", grant=grant, actor="test")
