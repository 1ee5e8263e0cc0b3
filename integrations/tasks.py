"""Celery entry points for syncing: thin shells around integrations.connections."""

from celery import shared_task

from integrations.connections import connection_sync, revoked_tokens_purge
from integrations.models import Connection
from integrations.providers import UnknownProvider, registry

SYNC_TIME_LIMIT = 60 * 60


@shared_task(time_limit=SYNC_TIME_LIMIT, soft_time_limit=SYNC_TIME_LIMIT - 60)
def sync_connection(
    connection_id: int,
    streams: list[str] | None = None,
    full: bool = False,
    trigger: str = "schedule",
) -> list[int]:
    """Sync one connection's streams; return the SyncRun ids."""
    runs = connection_sync(connection_id=connection_id, streams=streams, full=full, trigger=trigger)
    return [run.pk for run in runs]


@shared_task(time_limit=60, soft_time_limit=50)
def sync_scheduled(streams: list[str], provider: str | None = None) -> int:
    """Enqueue a sync of the named streams for every active connection that has them.

    `provider` narrows it where two providers use the same stream name ("campaigns").
    """
    queued = 0
    connections = Connection.objects.fetchable()
    if provider is not None:
        connections = connections.filter(provider=provider)
    for connection in connections:
        if not set(streams) & set(_stream_names(connection.provider)):
            continue
        sync_connection.delay(connection.pk, streams=streams)
        queued += 1
    return queued


def _stream_names(provider: str) -> list[str]:
    try:
        return list(registry.get(provider).stream_names)
    except UnknownProvider:
        return []


@shared_task(time_limit=300, soft_time_limit=270)
def purge_revoked_tokens() -> int:
    """Delete the sealed tokens of revoked connections."""
    return revoked_tokens_purge()
