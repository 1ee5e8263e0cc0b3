"""Know whether a "running" sync run still has a live worker behind it.

On PostgreSQL the run holds a session-level advisory lock for its whole life. The lock goes
away with the worker's database session, so a run killed with SIGKILL frees it at once and
the next run can tell the old row is dead without waiting. Elsewhere (the SQLite demo)
there is no such lock, and a run is presumed dead once its heartbeat is old.
"""

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection as db


def _lock_keys(connection_id: int, stream_name: str) -> tuple[int, int]:
    # Two int4 keys: the connection, and a stable hash of the stream's name.
    return connection_id & 0x7FFFFFFF, zlib.crc32(stream_name.encode()) & 0x7FFFFFFF


@contextmanager
def stream_lock(connection_id: int, stream_name: str) -> Iterator[bool | None]:
    """Try to own the stream; yield True (owned), False (a live run owns it) or None (no locks)."""
    if db.vendor != "postgresql":
        yield None
        return
    keys = _lock_keys(connection_id, stream_name)
    with db.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", keys)
        owned = bool(cursor.fetchone()[0])
    session = db.connection
    try:
        yield owned
    finally:
        # A session the server ended took its lock with it; a new one holds nothing to free.
        if owned and db.connection is session:
            with db.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", keys)
