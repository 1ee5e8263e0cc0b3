"""The sync engine: one run per stream, per-page commits with bookmarks, clean failures."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import psycopg
import pytest
from django.db import IntegrityError, transaction
from django.db import connection as db
from django.utils import timezone

from integrations.http import AuthError, TransientError
from integrations.models import (
    Connection,
    ConnectionStatus,
    InventoryLevel,
    SyncRun,
    SyncState,
    SyncStatus,
)
from integrations.sync.engine import Page, SyncAlreadyRunning, WriteCounts, sync_stream_run
from integrations.sync.liveness import _lock_keys
from integrations.sync.upsert import upsert_changed

pytestmark = pytest.mark.django_db


@dataclass
class Item:
    variant_id: str
    quantity: int
    seq: int


@dataclass
class ListStream:
    """A stream over an in-memory list, paged, resumable by sequence number."""

    items: list[Item]
    page_size: int = 3
    fail_after_pages: int | None = None
    error: Exception = field(default_factory=lambda: TransientError("boom", provider="demo"))
    on_page: object = None
    name: str = "inventory"

    def pages(self, *, bookmark: str, full: bool) -> Iterator[Page]:
        start = 0 if full or not bookmark else int(bookmark)
        todo = [item for item in self.items if item.seq > start]
        for number, offset in enumerate(range(0, len(todo), self.page_size)):
            if self.fail_after_pages is not None and number >= self.fail_after_pages:
                raise self.error
            chunk = todo[offset : offset + self.page_size]
            if callable(self.on_page):
                self.on_page(number)
            yield Page(records=chunk, bookmark=str(chunk[-1].seq))

    def write(self, connection: Connection, records: Sequence[Item]) -> WriteCounts:
        rows = [
            InventoryLevel(connection=connection, variant_id=r.variant_id, quantity=r.quantity)
            for r in records
        ]
        counts, _ = upsert_changed(
            InventoryLevel,
            rows,
            key_fields=["connection", "variant_id"],
            compare_fields=["quantity"],
        )
        return counts

    def final_bookmark(self) -> str | None:
        return None


def items(count: int) -> list[Item]:
    return [Item(variant_id=f"v{n}", quantity=n, seq=n) for n in range(1, count + 1)]


@pytest.fixture
def connection():
    return Connection.objects.create(
        provider="squarespace", external_account_id="site-1", display_name="Flux store"
    )


def test_a_run_stores_every_record_and_counts_pages(connection):
    run = sync_stream_run(connection=connection, stream=ListStream(items(7)))
    assert run.status == SyncStatus.SUCCEEDED
    assert (run.pages, run.rows_read, run.rows_inserted, run.rows_updated) == (3, 7, 7, 0)
    assert run.bookmark_end == "7"
    assert InventoryLevel.objects.count() == 7
    connection.refresh_from_db()
    assert connection.last_synced_at is not None


def test_running_again_changes_nothing(connection):
    sync_stream_run(connection=connection, stream=ListStream(items(7)))
    rerun = sync_stream_run(connection=connection, stream=ListStream(items(7)), full=True)
    assert (rerun.rows_read, rerun.rows_inserted, rerun.rows_updated) == (7, 0, 0)
    assert InventoryLevel.objects.count() == 7


def test_an_incremental_run_reads_only_past_the_bookmark(connection):
    sync_stream_run(connection=connection, stream=ListStream(items(7)))
    later = [*items(7), Item("v3", 99, seq=8)]
    run = sync_stream_run(connection=connection, stream=ListStream(later))
    assert (run.bookmark_start, run.rows_read, run.rows_updated) == ("7", 1, 1)
    assert InventoryLevel.objects.get(variant_id="v3").quantity == 99


def test_a_failure_keeps_committed_pages_and_the_next_run_completes(connection):
    broken = ListStream(items(7), fail_after_pages=2)
    failed = sync_stream_run(connection=connection, stream=broken)
    assert failed.status == SyncStatus.FAILED
    assert "boom" in failed.error
    assert not failed.error_permanent
    assert InventoryLevel.objects.count() == 6
    assert SyncState.objects.get(connection=connection).bookmark == "6"
    resumed = sync_stream_run(connection=connection, stream=ListStream(items(7)))
    assert (resumed.status, resumed.rows_read, resumed.rows_inserted) == ("succeeded", 1, 1)
    assert InventoryLevel.objects.count() == 7


def test_a_refused_token_marks_the_connection_for_reconnecting(connection):
    stream = ListStream(items(4), fail_after_pages=0, error=AuthError("no", provider="demo"))
    run = sync_stream_run(connection=connection, stream=stream)
    assert run.status == SyncStatus.FAILED
    assert run.error_permanent
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_RECONNECT
    assert "no" in connection.last_error


def test_disconnecting_stops_a_run_at_its_next_page(connection):
    def revoke_after_first(number: int) -> None:
        if number == 1:
            Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.REVOKED)

    run = sync_stream_run(
        connection=connection, stream=ListStream(items(9), on_page=revoke_after_first)
    )
    assert run.status == SyncStatus.STOPPED
    assert InventoryLevel.objects.count() == 3


@contextmanager
def live_run_elsewhere(connection_id: int, stream_name: str, on_postgres: bool):
    """Hold the stream the way a live worker does: through another database session."""
    if not on_postgres:
        yield
        return
    settings = db.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"],
        password=settings["PASSWORD"] or None,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", _lock_keys(connection_id, stream_name))
        yield


def test_a_second_concurrent_run_of_the_same_stream_is_refused(connection, on_postgres):
    SyncRun.objects.create(connection=connection, stream="inventory")
    with (
        live_run_elsewhere(connection.pk, "inventory", on_postgres),
        pytest.raises(SyncAlreadyRunning),
    ):
        sync_stream_run(connection=connection, stream=ListStream(items(2)))
    assert SyncRun.objects.filter(status="running").count() == 1


@pytest.mark.postgres
def test_on_postgres_a_killed_workers_run_is_replaced_at_once(connection):
    killed = SyncRun.objects.create(connection=connection, stream="inventory")  # fresh heartbeat
    run = sync_stream_run(connection=connection, stream=ListStream(items(2)))
    assert run.status == SyncStatus.SUCCEEDED
    killed.refresh_from_db()
    assert killed.status == SyncStatus.FAILED


def test_the_database_itself_refuses_two_running_runs(connection):
    SyncRun.objects.create(connection=connection, stream="inventory")
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.create(connection=connection, stream="inventory")
    SyncRun.objects.create(connection=connection, stream="orders")  # another stream is fine


def test_a_run_left_by_a_dead_worker_is_abandoned_and_replaced(connection):
    dead = SyncRun.objects.create(connection=connection, stream="inventory")
    SyncRun.objects.filter(pk=dead.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    run = sync_stream_run(connection=connection, stream=ListStream(items(2)))
    assert run.status == SyncStatus.SUCCEEDED
    dead.refresh_from_db()
    assert dead.status == SyncStatus.FAILED
    assert "abandoned" in dead.error


def test_an_unexpected_error_fails_the_run_and_is_raised(connection):
    stream = ListStream(items(4), fail_after_pages=1, error=ValueError("bug"))
    with pytest.raises(ValueError, match="bug"):
        sync_stream_run(connection=connection, stream=stream)
    run = SyncRun.objects.get()
    assert run.status == SyncStatus.FAILED
    assert run.error == "internal error: ValueError"
