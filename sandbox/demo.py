"""Connect the demo to the sandbox: every provider that has a sandbox key, then one sync each.

`make demo` runs `manage.py seed_demo --sandbox URL` once the sandbox answers. The keys here
are the sandbox's own demo credentials; nothing here is a real secret.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from catalog.seeding import catalog_demo_seed
from integrations.connections import connection_connect, connection_sync
from integrations.models import Connection, SyncRun
from integrations.providers import UnknownProvider, registry
from proposals.agent.run import agent_demo_run
from proposals.rules.seeding import rules_demo_seed
from social.demo import social_demo_seed

SANDBOX_WAIT_SECONDS = 60


@dataclass(frozen=True)
class DemoKey:
    provider: str
    api_key: str
    account: str = ""


DEMO_KEYS = (
    DemoKey("squarespace", "sqsp_demo_key"),
    DemoKey("shippo", "shippo_test_demo"),
    DemoKey("meta", "meta_system_user_demo"),
    DemoKey("google_ads", "1//sandbox-google-demo-refresh"),
    DemoKey("search_console", "1//sandbox-google-demo-refresh"),
    DemoKey("anthropic", "sk-ant-sandbox-demo"),
)


def sandbox_wait(url: str, *, seconds: float = SANDBOX_WAIT_SECONDS) -> None:
    """Wait until the sandbox answers at `url`, or raise TimeoutError."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/oidc/.well-known/openid-configuration", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.5)
    raise TimeoutError(f"the sandbox did not answer at {url} within {seconds:.0f} s")


def demo_connections_sync(*, report: Callable[[str], None]) -> list[SyncRun]:
    """Connect every provider that has a demo key, then sync each connection once."""
    runs: list[SyncRun] = []
    for key in DEMO_KEYS:
        connection = _connect(key)
        if connection is None:
            continue
        report(f"Connected {connection}; syncing ...")
        for run in connection_sync(connection_id=connection.pk, trigger="demo"):
            report(f"  {run.stream}: {run.status}, {run.rows_read} read, {run.error or 'ok'}")
            runs.append(run)
    catalog_demo_seed(report=report)
    social_demo_seed(report=report)
    rules_demo_seed(report=report)
    agent_demo_run(report=report)
    return runs


def _connect(key: DemoKey) -> Connection | None:
    try:
        adapter = registry.get(key.provider)
    except UnknownProvider:
        return None
    grant = adapter.connect_with_key(api_key=key.api_key, account=key.account)
    return connection_connect(provider=key.provider, grant=grant, actor="seed_demo")
