"""Meta's scheduled check: ask debug_token about every Meta token, daily."""

import logging

from celery import shared_task

from integrations.http import AuthError, ProviderError
from integrations.meta.actions import connection_token_check
from integrations.models import Connection, ConnectionStatus

logger = logging.getLogger(__name__)


@shared_task(time_limit=300, soft_time_limit=270)
def meta_tokens_check() -> int:
    """Refresh each Meta token's expiry from debug_token; mark refused ones for reconnecting."""
    checked = 0
    for connection in Connection.objects.fetchable().filter(provider="meta"):
        try:
            info = connection_token_check(connection=connection)
            if not info.is_valid:
                _needs_reconnect(connection, "Meta says the token is no longer valid")
        except AuthError as error:
            _needs_reconnect(connection, str(error))
        except ProviderError as error:
            logger.warning(
                "meta token check failed connection_id=%s error=%s", connection.pk, error
            )
        checked += 1
    return checked


def _needs_reconnect(connection: Connection, reason: str) -> None:
    Connection.objects.filter(pk=connection.pk).update(
        status=ConnectionStatus.NEEDS_RECONNECT, last_error=reason
    )
