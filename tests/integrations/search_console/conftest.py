"""A small Search Console sandbox (with Google OAuth) on loopback, and a connected property."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Q, Sum

from integrations.http import RetryPolicy
from integrations.models import Connection, SearchDay, SyncRun
from integrations.search_console.client import SearchConsoleClient
from integrations.search_console.sync import SearchAnalyticsStream
from integrations.sync.engine import sync_stream_run
from sandbox.platforms.google_oauth import DEMO_REFRESH_TOKEN, GoogleApp, GoogleOAuth
from sandbox.platforms.search_console import SearchConsole
from sandbox.server import Sandbox, SandboxOptions
from sandbox.testing import running_sandbox

OPTIONS = SandboxOptions(seed=43)
ANCHOR = date(2026, 11, 20)
SITE = "sc-domain:fluxengineering.example"
HISTORY_DAYS = 8
# Short waits so faults resolve quickly; a read timeout the slow fault outlasts.
FAST = RetryPolicy(backoff_base=0.01, backoff_cap=0.05, read_timeout=2.0)


@pytest.fixture
def google() -> GoogleOAuth:
    return GoogleOAuth(OPTIONS)


@pytest.fixture
def search(google: GoogleOAuth) -> SearchConsole:
    platform = SearchConsole(OPTIONS, google, anchor=ANCHOR, rows_per_day=20)
    platform.slow_seconds = 3.0
    platform.data.slots  # noqa: B018 - built now, so no answer outlasts the short timeout
    return platform


@pytest.fixture
def sandbox_url(google: GoogleOAuth, search: SearchConsole, settings: object) -> Iterator[str]:
    """Serve Google OAuth and Search Console, and point the app's Google settings at them."""
    with running_sandbox(Sandbox([google, search])) as url:
        settings.SEARCH_CONSOLE_URL = f"{url}/search_console/"  # type: ignore[attr-defined]
        settings.GOOGLE_OAUTH_URL = f"{url}/google"  # type: ignore[attr-defined]
        settings.GOOGLE_ACCOUNTS_URL = f"{url}/google"  # type: ignore[attr-defined]
        settings.GOOGLE_CLIENT_ID = GoogleApp().client_id  # type: ignore[attr-defined]
        settings.GOOGLE_CLIENT_SECRET = GoogleApp().client_secret  # type: ignore[attr-defined]
        yield url


@pytest.fixture
def connection(sandbox_url: str, db: None) -> Connection:
    call_command("connect", "search_console", "--api-key", DEMO_REFRESH_TOKEN)
    return Connection.objects.get(provider="search_console")


def stream_for(
    connection: Connection,
    search: SearchConsole,
    *,
    history_days: int = HISTORY_DAYS,
    policy: RetryPolicy = FAST,
) -> SearchAnalyticsStream:
    """Build the stream the adapter builds, with fast retries and the sandbox's clock."""
    connection.refresh_from_db()
    client = SearchConsoleClient.for_connection(connection, policy=policy, sleep=lambda _: None)
    return SearchAnalyticsStream(
        client=client, site_url=SITE, history_days=history_days, today=lambda: search.today
    )


def sync(connection: Connection, search: SearchConsole, **kwargs: Any) -> SyncRun:
    """Run the search_analytics stream once against the sandbox."""
    stream = stream_for(connection, search, **kwargs)
    return sync_stream_run(connection=connection, stream=stream, trigger="manual")


def stored_by_day() -> dict[date, tuple[int, int, int, bool]]:
    """Return rows, clicks, impressions and 'all fresh' per stored day."""
    found = SearchDay.objects.values("day").annotate(
        rows=Count("id"), clicks=Sum("clicks"), impressions=Sum("impressions"),
        fresh_rows=Count("id", filter=Q(fresh=True)),
    )  # fmt: skip
    return {
        f["day"]: (f["rows"], f["clicks"], f["impressions"], f["fresh_rows"] == f["rows"])
        for f in found
    }


def truth_by_day(
    search: SearchConsole, days: int = HISTORY_DAYS
) -> dict[date, tuple[int, int, int, bool]]:
    """Return what the sandbox holds for the days a sync of `days` history reads."""
    expected = {}
    for back in range(days + 1):
        day = search.today - timedelta(days=back)
        state = search.data.state_of(day, today=search.today)
        if state is not None:
            truth = search.data.day_truth(day, state)
            expected[day] = (truth.rows, truth.clicks, truth.impressions, state == "fresh")
    return expected
