"""Connect, reconnect, sync, revoke and purge: the named actions on connections."""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from flux.audit.actions import Actor, audit_record
from integrations.models import Connection, ConnectionStatus, Credential, SyncRun
from integrations.providers import AccountGrant, registry
from integrations.sync.engine import SyncAlreadyRunning, sync_stream_run

logger = logging.getLogger(__name__)

# Called with (provider, names of the streams that ran) after every sync; apps that follow the
# synced data (reconciliation) register here from their AppConfig.ready().
after_sync_hooks: list[Callable[[str, list[str]], None]] = []


def connection_connect(*, provider: str, grant: AccountGrant, actor: Actor) -> Connection:
    """Create or reconnect the connection for the granted account, sealing its new secret."""
    registry.get(provider)  # refuse unknown providers before writing anything
    with transaction.atomic():
        connection = (
            Connection.objects.select_for_update()
            .filter(provider=provider, external_account_id=grant.external_account_id)
            .first()
        )
        before = _public_state(connection) if connection else None
        connection = _apply_grant(connection, provider, grant, actor)
        audit_record(
            actor=actor,
            action="connection.reconnected" if before else "connection.connected",
            target=connection,
            before=before,
            after=_public_state(connection),
        )
    return connection


def _apply_grant(
    connection: Connection | None, provider: str, grant: AccountGrant, actor: Actor
) -> Connection:
    old_credential = connection.credential if connection else None
    credential = Credential(provider=provider)
    credential.secret = grant.secret
    credential.save()
    connection = connection or Connection(
        provider=provider, external_account_id=grant.external_account_id
    )
    connection.display_name = grant.display_name[:200]
    connection.credential = credential
    connection.token_expires_at = grant.token_expires_at
    if grant.options:
        connection.options = grant.options
    connection.status = ConnectionStatus.ACTIVE
    connection.revoked_at = None
    connection.last_error = ""
    connection.connected_by_label = _label(actor)
    connection.save()
    if old_credential is not None:
        old_credential.delete()
    return connection


def connection_store_refreshed_secret(
    *, connection_id: int, secret: dict[str, Any], expires_at: datetime | None = None
) -> None:
    """Replace a connection's tokens after a refresh, atomically (refresh tokens rotate).

    `expires_at` is when the connection stops working unless someone reconnects: None for
    tokens that renew themselves, so the reconnect banner never asks for a needless reconnect.
    """
    with transaction.atomic():
        connection = Connection.objects.select_for_update().get(pk=connection_id)
        if connection.credential is None:
            return  # revoked meanwhile: never resurrect a token
        connection.credential.secret = secret
        connection.credential.save(update_fields=["secret", "updated_at"])
        Connection.objects.filter(pk=connection_id).update(token_expires_at=expires_at)


def connection_revoke(*, connection_id: int, actor: Actor) -> Connection:
    """Stop all fetching from a connection at once; its history stays, its tokens are purged."""
    with transaction.atomic():
        connection = Connection.objects.select_for_update().get(pk=connection_id)
        before = _public_state(connection)
        connection.status = ConnectionStatus.REVOKED
        connection.revoked_at = timezone.now()
        connection.save(update_fields=["status", "revoked_at"])
        audit_record(
            actor=actor,
            action="connection.revoked",
            target=connection,
            before=before,
            after=_public_state(connection),
        )
    _tell_platform(connection)
    return connection


def _tell_platform(connection: Connection) -> None:
    try:
        registry.get(connection.provider).revoke(connection)
    except Exception:  # the platform's answer must not undo a revoke that already happened
        logger.exception("platform revoke failed connection_id=%s", connection.pk)


def connection_sync(
    *,
    connection_id: int,
    streams: list[str] | None = None,
    full: bool = False,
    trigger: str = "schedule",
) -> list[SyncRun]:
    """Run the connection's streams (all, or those named) in order; skip one already running."""
    connection = Connection.objects.get(pk=connection_id)
    if not connection.is_fetchable:
        return []
    runs = []
    for stream in registry.get(connection.provider).streams(connection):
        if streams is not None and stream.name not in streams:
            continue
        try:
            runs.append(
                sync_stream_run(connection=connection, stream=stream, full=full, trigger=trigger)
            )
        except SyncAlreadyRunning:
            logger.info(
                "sync skipped connection_id=%s stream=%s: running", connection.pk, stream.name
            )
    if runs:
        for hook in after_sync_hooks:
            hook(connection.provider, [run.stream for run in runs])
    return runs


def revoked_tokens_purge(*, actor: Actor = "purge_revoked_tokens") -> int:
    """Delete the sealed tokens of every revoked connection; return how many were deleted."""
    purged = 0
    revoked = Connection.objects.filter(status=ConnectionStatus.REVOKED, credential__isnull=False)
    for connection in revoked.select_related("credential"):
        with transaction.atomic():
            credential = connection.credential
            if credential is None:
                continue
            credential.delete()
            audit_record(actor=actor, action="connection.tokens_purged", target=connection)
            purged += 1
    return purged


def _public_state(connection: Connection) -> dict[str, Any]:
    """What the audit log may show of a connection: never its secret."""
    return {
        "provider": connection.provider,
        "account": connection.external_account_id,
        "display_name": connection.display_name,
        "status": connection.status,
    }


def _label(actor: Actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return actor.get_username() if actor.is_authenticated else "anonymous"
