"""Connecting Shippo by token, the webhook URL command, and registering a tracking number."""

import pytest
from django.core.management import CommandError, call_command

from integrations.models import Connection
from integrations.providers import registry
from integrations.shippo.actions import track_register
from integrations.shippo.client import InvalidToken, ShippoClient

from .conftest import TOKEN

pytestmark = pytest.mark.django_db(transaction=True)


def test_connecting_names_the_account_by_the_tokens_mode_and_seals_a_webhook_token(connection):
    assert (connection.external_account_id, connection.display_name) == ("test", "Shippo (test)")
    secret = connection.credential.secret.reveal()
    assert secret["api_token"] == TOKEN
    assert len(secret["webhook_token"]) >= 43


def test_reconnecting_keeps_the_webhook_token(connection):
    before = connection.credential.secret.reveal()["webhook_token"]
    call_command("connect", "shippo", "--api-key", TOKEN)
    connection.refresh_from_db()
    assert connection.credential.secret.reveal()["webhook_token"] == before
    assert Connection.objects.filter(provider="shippo").count() == 1


def test_a_live_token_names_a_live_account(shippo_url, db):
    call_command("connect", "shippo", "--api-key", "shippo_live_0123456789abcdef")
    assert Connection.objects.get(provider="shippo").display_name == "Shippo (live)"


@pytest.mark.parametrize("token", ["sk_test_123", "shippo_test_", "ShippoToken shippo_test_1"])
def test_a_token_of_the_wrong_shape_is_refused_before_any_call(shippo_url, shippo_platform, token):
    with pytest.raises(CommandError):
        call_command("connect", "shippo", "--api-key", token)
    with pytest.raises(InvalidToken):
        ShippoClient(token=token)
    assert not Connection.objects.exists()


def test_a_refused_token_connects_nothing(shippo_url, shippo_platform):
    shippo_platform.faults.arm("transactions", "expired_token")
    with pytest.raises(CommandError, match="refused"):
        call_command("connect", "shippo", "--api-key", TOKEN)
    assert not Connection.objects.exists()


def test_the_webhook_url_command_prints_the_secret_url(connection, settings, capsys):
    settings.FLUX_PUBLIC_URL = "https://flux.example.ts.net"
    call_command("shippo_webhook_url")
    token = connection.credential.secret.reveal()["webhook_token"]
    assert f"https://flux.example.ts.net/webhooks/shippo/{token}" in capsys.readouterr().out


def test_the_adapter_connects_by_key_only_and_lists_the_three_streams(connection):
    adapter = registry.get("shippo")
    assert (adapter.connects_by_key, adapter.connects_by_oauth) == (True, False)
    assert [s.name for s in adapter.streams(connection)] == ["shipments", "labels", "shippo_orders"]


def test_registering_a_tracking_number_posts_it_to_shippo(connection, shippo_platform):
    track_register(connection=connection, carrier="usps", tracking_number="9400100000000000000001")
    (write,) = shippo_platform.writes
    assert (write.route, write.method) == ("track_register", "POST")
    assert '"tracking_number": "9400100000000000000001"' in write.body
