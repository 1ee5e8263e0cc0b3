"""One listing per provider, served by its sandbox, that the fault matrix breaks and checks.

Each case knows how to start its sandbox with short timeouts (so "slow" outlasts the client
quickly), connect the way `manage.py connect` does, sync the stream the fault lands on, and
check the stored rows against the sandbox's own ground truth, once each.
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count

from integrations.connections import connection_sync
from integrations.http import RetryPolicy
from integrations.models import CampaignDay, Connection, Label, Order, SearchDay, SyncRun
from sandbox.platforms.google_ads import DEMO_DEVELOPER_TOKEN, GoogleAdsPlatform
from sandbox.platforms.google_oauth import DEMO_REFRESH_TOKEN, GoogleOAuth
from sandbox.platforms.meta import SYSTEM_USER_TOKEN, MetaApp, MetaPlatform
from sandbox.platforms.search_console import SearchConsole
from sandbox.platforms.shippo import ShippoPlatform
from sandbox.platforms.squarespace import DEMO_API_KEY, Squarespace
from sandbox.server import Platform, Sandbox, SandboxOptions, build_sandbox
from sandbox.testing import running_google_ads, running_sandbox
from tests.integrations.meta.conftest import ANCHOR as META_ANCHOR
from tests.integrations.meta.conftest import Graph
from tests.integrations.meta.test_sync import assert_days_match_truth
from tests.integrations.search_console import conftest as search_console
from tests.integrations.shippo.conftest import TOKEN as SHIPPO_TOKEN

# Short waits so faults resolve quickly; each read timeout is shorter than its sandbox's slow.
FAST = RetryPolicy(backoff_base=0.01, backoff_cap=0.05, max_retry_after=2, read_timeout=1.0)
SLOW_SECONDS = 1.5
OPTIONS = SandboxOptions(seed=4343, orders=150)


# Per provider: the sandbox platform and the route its faulted listing is read from.
LISTINGS: dict[str, tuple[type[Platform], str]] = {
    "squarespace": (Squarespace, "orders"),
    "shippo": (ShippoPlatform, "transactions"),
    "search_console": (SearchConsole, "query"),
    "meta": (MetaPlatform, "insights"),
    "google_ads": (GoogleAdsPlatform, "SearchStream"),
}


@dataclass
class SyncCase:
    """A provider's faulted listing: where to arm the fault and how to judge the result."""

    provider: str
    platform: Platform
    route: str  # the sandbox route the fault is armed on
    stream: str  # the stream that reads it
    connect: Callable[[], Connection]
    sync: Callable[[Connection], SyncRun]
    assert_truth: Callable[[], None]
    first_page_clean: bool = True  # fault the second request, after a page is committed


def _connect(provider: str, key: str, account: str = "") -> Connection:
    call_command("connect", provider, "--api-key", key, "--account", account, "--json")
    return Connection.objects.get(provider=provider)


def _sync_stream(stream: str, *, before: tuple[str, ...] = ()) -> Callable[[Connection], SyncRun]:
    """Sync `stream` (after `before`, once) through the engine, as the task does."""

    def sync(connection: Connection) -> SyncRun:
        names = (
            [*before, stream] if not SyncRun.objects.filter(stream=stream).exists() else [stream]
        )
        runs = connection_sync(connection_id=connection.pk, streams=names, trigger="test")
        return next(run for run in runs if run.stream == stream)

    return sync


def _once_each(rows: Any, *key: str) -> None:
    assert rows.count() == rows.values(*key).distinct().count(), "a row was stored twice"


@contextmanager
def squarespace_case(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[SyncCase]:
    platform = Squarespace(OPTIONS)
    platform.slow_seconds, platform.retry_after = SLOW_SECONDS, "1"
    monkeypatch.setattr("integrations.squarespace.client.RETRY_POLICY", FAST)

    def assert_truth() -> None:
        _once_each(Order.objects.all(), "provider_order_id")
        assert Order.objects.count() == platform.brand.truth.orders
        lines = Order.objects.annotate(n=Count("lines")).values_list("provider_order_id", "n")
        for order_id, n in lines:
            assert n == len(platform.brand.order(order_id)["lineItems"])  # type: ignore[index]

    with running_sandbox(Sandbox([platform])) as url:
        settings.SQUARESPACE_API_URL = f"{url}/squarespace"
        yield SyncCase(
            "squarespace", platform, LISTINGS["squarespace"][1], "orders",
            lambda: _connect("squarespace", DEMO_API_KEY), _sync_stream("orders"), assert_truth,
        )  # fmt: skip


@contextmanager
def shippo_case(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[SyncCase]:
    platform = ShippoPlatform(OPTIONS)
    platform.slow_seconds = SLOW_SECONDS
    monkeypatch.setattr("integrations.shippo.client.RETRY_POLICY", FAST)

    def assert_truth() -> None:
        truth = platform.brand.truth
        _once_each(Label.objects.all(), "object_id")
        assert Label.objects.count() == truth.labels_valid + truth.labels_voided

    with running_sandbox(Sandbox([platform])) as url:
        settings.SHIPPO_API_URL = f"{url}/shippo"
        yield SyncCase(
            "shippo", platform, LISTINGS["shippo"][1], "labels",
            lambda: _connect("shippo", SHIPPO_TOKEN),
            _sync_stream("labels", before=("shipments",)), assert_truth,
        )  # fmt: skip


@contextmanager
def search_console_case(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[SyncCase]:
    google = GoogleOAuth(search_console.OPTIONS)
    search = SearchConsole(
        search_console.OPTIONS, google, anchor=search_console.ANCHOR, rows_per_day=20
    )
    search.slow_seconds, search.page_cap = 3.0, 7  # several pages a day; slower than FAST
    search.data.slots  # noqa: B018 - built now, so no answer outlasts the short timeout

    def assert_truth() -> None:
        _once_each(SearchDay.objects.all(), "day", "query", "page", "country", "device")
        assert search_console.stored_by_day() == search_console.truth_by_day(search)

    with running_sandbox(Sandbox([google, search])) as url:
        settings.SEARCH_CONSOLE_URL = f"{url}/search_console/"
        settings.GOOGLE_OAUTH_URL = settings.GOOGLE_ACCOUNTS_URL = f"{url}/google"
        settings.GOOGLE_CLIENT_ID = google.app.client_id
        settings.GOOGLE_CLIENT_SECRET = google.app.client_secret
        yield SyncCase(
            "search_console", search, LISTINGS["search_console"][1], "search_analytics",
            lambda: _connect("search_console", DEMO_REFRESH_TOKEN),
            lambda connection: search_console.sync(connection, search), assert_truth,
        )  # fmt: skip


@contextmanager
def meta_case(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[SyncCase]:
    platform = MetaPlatform(SandboxOptions(seed=5), anchor=META_ANCHOR)
    platform.slow_seconds = SLOW_SECONDS
    monkeypatch.setattr("integrations.meta.sync.now", lambda: platform.brand.now)
    monkeypatch.setattr("integrations.meta.client.pause", lambda seconds: None)
    monkeypatch.setattr("integrations.meta.client.TIMEOUT_SECONDS", 0.5)
    with running_sandbox(Sandbox([platform])) as url:
        graph = Graph(platform, f"{url}/meta")
        settings.META_GRAPH_URL = settings.META_DIALOG_URL = graph.url
        settings.META_APP_ID, settings.META_APP_SECRET = MetaApp.app_id, MetaApp.app_secret

        def assert_truth() -> None:
            _once_each(CampaignDay.objects.all(), "campaign", "day")
            assert_days_match_truth(graph, graph.usd)

        yield SyncCase(
            "meta", platform, LISTINGS["meta"][1], "insights",
            lambda: _connect("meta", SYSTEM_USER_TOKEN, graph.usd.act_id),
            _sync_stream("insights", before=("campaigns",)), assert_truth,
        )  # fmt: skip


@contextmanager
def google_ads_case(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[SyncCase]:
    sandbox = build_sandbox(SandboxOptions(seed=11, orders=50))
    platform, google = sandbox.platforms["google_ads"], sandbox.platforms["google"]
    assert isinstance(platform, GoogleAdsPlatform)
    assert isinstance(google, GoogleOAuth)
    platform.stream_batch_rows, platform.slow_seconds = 200, SLOW_SECONDS
    monkeypatch.setattr("integrations.google_ads.client.time.sleep", lambda seconds: None)
    monkeypatch.setattr("integrations.google_ads.client.CALL_TIMEOUT_SECONDS", 1.0)

    def assert_truth() -> None:
        brand = platform.brand
        _once_each(CampaignDay.objects.all(), "campaign", "day")
        assert CampaignDay.objects.count() == brand.truth(brand.first_day, brand.last_day).rows

    def connect() -> Connection:
        return _connect("google_ads", google.issue_refresh_token(), platform.customer_id)

    with ExitStack() as running:
        url = running.enter_context(running_sandbox(sandbox))
        endpoint, ca_file = running.enter_context(running_google_ads(sandbox))
        settings.GOOGLE_OAUTH_URL = settings.GOOGLE_ACCOUNTS_URL = f"{url}/google"
        settings.GOOGLE_CLIENT_ID = google.app.client_id
        settings.GOOGLE_CLIENT_SECRET = google.app.client_secret
        settings.GOOGLE_ADS_ENDPOINT, settings.GOOGLE_ADS_CA_FILE = endpoint, ca_file
        settings.GOOGLE_ADS_DEVELOPER_TOKEN = DEMO_DEVELOPER_TOKEN
        yield SyncCase(
            "google_ads", platform, LISTINGS["google_ads"][1], "metrics", connect,
            _sync_stream("metrics"), assert_truth, first_page_clean=False,  # one stream, no pages
        )  # fmt: skip


CASES = {
    "squarespace": squarespace_case,
    "shippo": shippo_case,
    "search_console": search_console_case,
    "meta": meta_case,
    "google_ads": google_ads_case,
}
