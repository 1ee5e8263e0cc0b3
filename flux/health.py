"""Probe the services the app depends on, for /healthz."""

import redis
from django.conf import settings
from django.db import DatabaseError, connection

PROBE_TIMEOUT_SECONDS = 2


def database_status() -> str:
    """Return 'ok' when a trivial query succeeds, else 'error'."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "error"
    return "ok"


def redis_status() -> str | None:
    """Return 'ok' or 'error' for the configured Redis, or None when none is configured."""
    if not settings.REDIS_URL:
        return None
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
        socket_timeout=PROBE_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except redis.RedisError:
        return "error"
    finally:
        client.close()
    return "ok"
