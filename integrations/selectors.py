"""Connection questions the whole shell asks (the banner on every staff page)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from integrations.models import Connection, ConnectionStatus

EXPIRY_WARNING = timedelta(days=7)


@dataclass(frozen=True)
class ConnectionAlert:
    connection_id: int
    label: str
    reason: str
    expires_at: datetime | None = None


def connections_needing_attention(*, now: datetime | None = None) -> list[ConnectionAlert]:
    """Connections to reconnect: refused tokens, and tokens expiring within seven days."""
    now = now or timezone.now()
    due = now + EXPIRY_WARNING
    rows = Connection.objects.filter(
        Q(status=ConnectionStatus.NEEDS_RECONNECT)
        | Q(status=ConnectionStatus.ACTIVE, token_expires_at__lte=due)
    ).order_by("provider", "display_name")
    return [_alert(connection, now) for connection in rows]


def _alert(connection: Connection, now: datetime) -> ConnectionAlert:
    label = str(connection)
    if connection.status == ConnectionStatus.NEEDS_RECONNECT:
        return ConnectionAlert(connection.pk, label, "needs reconnecting")
    expires = connection.token_expires_at
    expired = expires is not None and expires <= now
    reason = "token expired" if expired else "token expires soon"
    return ConnectionAlert(connection.pk, label, reason, expires)
