"""Run one stream of one connection: claim, page through, commit each page with its bookmark.

A provider describes a stream with a `Stream` (how to read pages since a bookmark, and how to
write a page of parsed records). The engine owns everything else, the same for every provider:

- one SyncRun row per run; the database refuses a second running run of the same stream
  (a partial unique index), and a run whose worker died is recognised by its stale heartbeat;
- each page is written and its bookmark saved in one transaction, so a crash resumes after
  the last committed page and never leaves half a page behind;
- pages stream through, one at a time, so memory stays flat however long the backfill;
- revoking or disabling the connection stops a run at its next page;
- a provider error ends the run as failed with its message; an auth error that survived the
  refresh marks the connection needs_reconnect;
- a lost database connection (a restart, a failover) ends the run as failed, recorded on a
  fresh connection, so it never sits "running" with nobody behind it.
"""

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db import connection as db
from django.db.models import F
from django.utils import timezone

from integrations.http import AuthError, ProviderError
from integrations.models import (
    Connection,
    ConnectionStatus,
    SyncRun,
    SyncState,
    SyncStatus,
)
from integrations.sync.liveness import stream_lock

logger = logging.getLogger(__name__)

# A running run whose heartbeat is older than this belongs to a dead worker.
STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Page:
    """A page of parsed records and the bookmark that is safe to store once it is written.

    `bookmark` is None when the provider cannot resume from the middle of a listing (for
    example when it lists newest first); the stream then returns the bookmark at the end.
    """

    records: Sequence[Any]
    bookmark: str | None = None


@dataclass(frozen=True)
class WriteCounts:
    inserted: int = 0
    updated: int = 0


class Stream(Protocol):
    """One kind of record a provider syncs (orders, inventory, labels, ...)."""

    name: str

    def pages(self, *, bookmark: str, full: bool) -> Iterator[Page]:
        """Yield pages changed since `bookmark` ('' or `full` means from the beginning)."""
        ...

    def write(self, connection: Connection, records: Sequence[Any]) -> WriteCounts:
        """Upsert one page of records, keyed on the provider's ids; writes only what changed."""
        ...

    def final_bookmark(self) -> str | None:
        """Return the bookmark to store after the last page, or None to keep the page ones."""
        ...


class SyncAlreadyRunning(Exception):
    """Another live run of the same stream holds the claim."""


class SyncStopped(Exception):
    """The connection stopped being fetchable while the run was in flight."""


def sync_stream_run(
    *, connection: Connection, stream: Stream, full: bool = False, trigger: str = "schedule"
) -> SyncRun:
    """Run `stream` for `connection` to the end and return its finished SyncRun."""
    with stream_lock(connection.pk, stream.name) as owned:
        if owned is False:
            raise SyncAlreadyRunning(f"{connection} {stream.name} is already syncing")
        run = _claim(connection, stream.name, full=full, trigger=trigger, owned=owned)
        return _run(run, connection, stream, full=full)


def _run(run: SyncRun, connection: Connection, stream: Stream, *, full: bool) -> SyncRun:
    try:
        _consume(run, connection, stream, full=full)
    except SyncStopped:
        return _finish(run, SyncStatus.STOPPED, error="the connection was disconnected")
    except ProviderError as error:
        return _fail(run, connection, error)
    except Exception as exc:
        # A bug or a lost database, not the platform: record it on the run so it does not sit
        # "running", then raise.
        _finish(run, SyncStatus.FAILED, error=_crash_message(exc))
        raise
    final = stream.final_bookmark()
    if final is not None:
        _save_bookmark(connection, stream.name, final)
        SyncRun.objects.filter(pk=run.pk).update(bookmark_end=final)
    _mark_synced(connection)
    return _finish(run, SyncStatus.SUCCEEDED)


def _crash_message(exc: Exception) -> str:
    if isinstance(exc, OperationalError | InterfaceError):
        _drop_dead_connection()
        return "the database connection failed; the next run resumes after the last saved page"
    return f"internal error: {type(exc).__name__}"


def _drop_dead_connection() -> None:
    """Close a connection the server ended, so recording the failure opens a fresh one."""
    # Inside a caller's transaction there is nothing safe to reopen.
    if not db.in_atomic_block and not db.is_usable():
        db.close()


def _claim(
    connection: Connection, stream_name: str, *, full: bool, trigger: str, owned: bool | None
) -> SyncRun:
    # Owning the lock proves every "running" row of this stream lost its worker.
    _abandon_dead_runs(connection, stream_name, heartbeat_before=None if owned else _stale_cutoff())
    bookmark = "" if full else _bookmark(connection, stream_name)
    try:
        with transaction.atomic():
            return SyncRun.objects.create(
                connection=connection,
                stream=stream_name,
                full=full,
                trigger=trigger,
                bookmark_start=bookmark,
            )
    except IntegrityError as exc:
        raise SyncAlreadyRunning(f"{connection} {stream_name} is already syncing") from exc


def _stale_cutoff() -> datetime:
    return timezone.now() - STALE_AFTER


def _abandon_dead_runs(
    connection: Connection, stream_name: str, *, heartbeat_before: datetime | None
) -> None:
    dead = SyncRun.objects.filter(
        connection=connection, stream=stream_name, status=SyncStatus.RUNNING
    )
    if heartbeat_before is not None:
        dead = dead.filter(heartbeat_at__lt=heartbeat_before)
    dead.update(
        status=SyncStatus.FAILED,
        finished_at=timezone.now(),
        error="abandoned: the worker stopped answering",
    )


def _consume(run: SyncRun, connection: Connection, stream: Stream, *, full: bool) -> None:
    for page in stream.pages(bookmark=run.bookmark_start, full=full):
        if not _still_fetchable(connection):
            raise SyncStopped()
        with transaction.atomic():
            counts = stream.write(connection, page.records)
            if page.bookmark is not None:
                _save_bookmark(connection, stream.name, page.bookmark)
            _count_page(run, page, counts)


def _still_fetchable(connection: Connection) -> bool:
    return Connection.objects.filter(pk=connection.pk, status=ConnectionStatus.ACTIVE).exists()


def _count_page(run: SyncRun, page: Page, counts: WriteCounts) -> None:
    changes: dict[str, Any] = {
        "pages": F("pages") + 1,
        "rows_read": F("rows_read") + len(page.records),
        "rows_inserted": F("rows_inserted") + counts.inserted,
        "rows_updated": F("rows_updated") + counts.updated,
        "heartbeat_at": timezone.now(),
    }
    if page.bookmark is not None:
        changes["bookmark_end"] = page.bookmark
    SyncRun.objects.filter(pk=run.pk).update(**changes)


def _bookmark(connection: Connection, stream_name: str) -> str:
    state = SyncState.objects.filter(connection=connection, stream=stream_name).first()
    return state.bookmark if state else ""


def _save_bookmark(connection: Connection, stream_name: str, bookmark: str) -> None:
    SyncState.objects.update_or_create(
        connection=connection, stream=stream_name, defaults={"bookmark": bookmark}
    )


def _mark_synced(connection: Connection) -> None:
    Connection.objects.filter(pk=connection.pk).update(
        last_synced_at=timezone.now(), last_error="", last_error_at=None
    )


def _fail(run: SyncRun, connection: Connection, error: ProviderError) -> SyncRun:
    message = str(error)
    changes: dict[str, Any] = {"last_error": message, "last_error_at": timezone.now()}
    if isinstance(error, AuthError):
        changes["status"] = ConnectionStatus.NEEDS_RECONNECT
    Connection.objects.filter(pk=connection.pk).update(**changes)
    logger.warning(
        "sync failed connection_id=%s stream=%s run_id=%s permanent=%s error=%s",
        connection.pk,
        run.stream,
        run.pk,
        error.permanent,
        message,
    )
    return _finish(run, SyncStatus.FAILED, error=message, permanent=error.permanent)


def _finish(
    run: SyncRun, status: SyncStatus, *, error: str = "", permanent: bool = False
) -> SyncRun:
    SyncRun.objects.filter(pk=run.pk).update(
        status=status, finished_at=timezone.now(), error=error, error_permanent=permanent
    )
    run.refresh_from_db()
    logger.info(
        "sync finished connection_id=%s stream=%s run_id=%s status=%s pages=%d read=%d "
        "inserted=%d updated=%d",
        run.connection_id,
        run.stream,
        run.pk,
        run.status,
        run.pages,
        run.rows_read,
        run.rows_inserted,
        run.rows_updated,
    )
    return run
