"""The daily debug_token check keeps each Meta token's expiry and catches refused tokens."""

from integrations.meta.tasks import meta_tokens_check
from integrations.models import ConnectionStatus
from sandbox.platforms.meta import SYSTEM_USER_TOKEN


def test_a_valid_token_is_checked_and_stays_active(key_connection):
    assert meta_tokens_check() == 1
    key_connection.refresh_from_db()
    assert key_connection.status == ConnectionStatus.ACTIVE


def test_an_expired_token_marks_the_connection_for_reconnecting(graph, key_connection):
    graph.platform.expire_token(SYSTEM_USER_TOKEN)
    meta_tokens_check()
    key_connection.refresh_from_db()
    assert key_connection.status == ConnectionStatus.NEEDS_RECONNECT
    assert key_connection.last_error
