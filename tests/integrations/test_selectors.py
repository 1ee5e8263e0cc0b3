"""The reconnect banner: refused tokens and tokens expiring within seven days."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import Connection, ConnectionStatus
from integrations.selectors import connections_needing_attention

pytestmark = pytest.mark.django_db


def connection(name: str, **fields) -> Connection:
    return Connection.objects.create(
        provider="meta", external_account_id=name, display_name=name, **fields
    )


def test_expiring_refused_and_expired_tokens_are_listed_healthy_ones_are_not():
    now = timezone.now()
    connection("soon", token_expires_at=now + timedelta(days=5))
    connection("later", token_expires_at=now + timedelta(days=30))
    connection("never")
    connection("refused", status=ConnectionStatus.NEEDS_RECONNECT)
    connection("gone", token_expires_at=now - timedelta(days=1))
    connection("revoked", status=ConnectionStatus.REVOKED, token_expires_at=now)
    reasons = {a.label.split(": ")[1]: a.reason for a in connections_needing_attention(now=now)}
    assert reasons == {
        "soon": "token expires soon",
        "refused": "needs reconnecting",
        "gone": "token expired",
    }


def test_staff_pages_show_the_banner(client, viewer):
    connection("soon", token_expires_at=timezone.now() + timedelta(days=2))
    client.force_login(viewer)
    page = client.get("/").content.decode()
    assert "token expires soon" in page
    assert "Reconnect" in page
