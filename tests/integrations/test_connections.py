"""Connecting, the OAuth callback, the connections page, revoking and purging.

A small in-test provider stands in for a platform here; the real providers are tested
against the sandbox in their own folders, and the state rules for every provider in
tests/security/test_oauth_state.py.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from flux.audit.models import AuditEvent
from integrations.connections import (
    connection_connect,
    connection_revoke,
    connection_store_refreshed_secret,
    revoked_tokens_purge,
)
from integrations.http import AuthError
from integrations.models import Connection, ConnectionStatus, Credential, SyncRun
from integrations.providers import AccountGrant, OAuthStart, registry
from integrations.sync.engine import Page, Stream, WriteCounts
from tests.integrations.sync.test_engine import live_run_elsewhere

pytestmark = pytest.mark.django_db


@dataclass
class CountingStream:
    name: str
    seen: list[str] = field(default_factory=list)

    def pages(self, *, bookmark: str, full: bool) -> Iterator[Page]:
        self.seen.append(self.name)
        yield Page(records=[1, 2], bookmark="b")

    def write(self, connection: Connection, records: Sequence[Any]) -> WriteCounts:
        return WriteCounts(inserted=len(records))

    def final_bookmark(self) -> str | None:
        return None


@dataclass
class ExampleAdapter:
    name: str = "squarespace"
    label: str = "Example store"
    connects_by_key: bool = True
    connects_by_oauth: bool = True
    stream_names: Sequence[str] = ("orders", "inventory")
    exchanged: list[str] = field(default_factory=list)
    revoked: list[int] = field(default_factory=list)

    def streams(self, connection: Connection) -> list[Stream]:
        return [CountingStream(name) for name in self.stream_names]

    def connect_with_key(self, *, api_key: str, account: str) -> AccountGrant:
        if api_key != "good-key":
            raise AuthError("key refused", provider=self.name, status=401)
        return AccountGrant("site-1", "Flux store", {"api_key": api_key})

    def oauth_start(self, *, state: str, redirect_uri: str) -> OAuthStart:
        return OAuthStart(url=f"https://consent.example/authorize?state={state}")

    def oauth_finish(self, *, code: str, redirect_uri: str, code_verifier: str) -> AccountGrant:
        self.exchanged.append(code)
        return AccountGrant("site-1", "Flux store", {"access_token": f"token-for-{code}"})

    def revoke(self, connection: Connection) -> None:
        self.revoked.append(connection.pk)


@pytest.fixture
def adapter():
    original = dict(registry.adapters)
    example = ExampleAdapter()
    registry.adapters["squarespace"] = example
    yield example
    registry.adapters.clear()
    registry.adapters.update(original)


@pytest.fixture
def connected(adapter, admin_user):
    grant = AccountGrant("site-1", "Flux store", {"api_key": "good-key"})
    return connection_connect(provider="squarespace", grant=grant, actor=admin_user)


def test_connecting_seals_the_secret_and_audits_without_it(connected):
    assert connected.status == ConnectionStatus.ACTIVE
    assert connected.credential.secret.reveal() == {"api_key": "good-key"}
    event = AuditEvent.objects.get(action="connection.connected")
    assert "good-key" not in str(event.after)
    assert event.actor_label == "ada-admin"


def test_reconnecting_replaces_the_old_credential(connected, admin_user):
    old_credential = connected.credential_id
    grant = AccountGrant("site-1", "Flux store", {"api_key": "newer"})
    again = connection_connect(provider="squarespace", grant=grant, actor=admin_user)
    assert again.pk == connected.pk
    assert not Credential.objects.filter(pk=old_credential).exists()
    assert AuditEvent.objects.filter(action="connection.reconnected").count() == 1


def test_a_refreshed_secret_replaces_both_tokens_at_once(connected):
    connection_store_refreshed_secret(
        connection_id=connected.pk,
        secret={"access_token": "a2", "refresh_token": "r2"},
        expires_at=None,
    )
    connected.refresh_from_db()
    assert connected.credential.secret.reveal() == {"access_token": "a2", "refresh_token": "r2"}


def test_revoking_stops_fetching_keeps_history_and_purge_deletes_the_tokens(
    adapter, connected, admin_user
):
    SyncRun.objects.create(connection=connected, stream="orders", status="succeeded")
    connection_revoke(connection_id=connected.pk, actor=admin_user)
    connected.refresh_from_db()
    assert connected.status == ConnectionStatus.REVOKED
    assert adapter.revoked == [connected.pk]
    assert connected.credential is not None
    assert revoked_tokens_purge() == 1
    connected.refresh_from_db()
    assert connected.credential is None
    assert Credential.objects.count() == 0
    assert SyncRun.objects.filter(connection=connected).count() == 1
    assert AuditEvent.objects.filter(action="connection.tokens_purged").count() == 1


def test_a_revoked_connection_is_never_synced(adapter, connected, admin_user):
    connection_revoke(connection_id=connected.pk, actor=admin_user)
    call_command("sync", "all")
    assert SyncRun.objects.count() == 0


def test_the_sync_command_runs_every_stream(adapter, connected, capsys):
    call_command("sync", "squarespace")
    output = capsys.readouterr().out
    assert "orders" in output
    assert "inventory" in output
    assert SyncRun.objects.filter(status="succeeded").count() == 2


def test_the_sync_command_says_when_a_live_run_holds_every_stream(
    adapter, connected, capsys, on_postgres
):
    for stream in ("orders", "inventory"):
        SyncRun.objects.create(connection=connected, stream=stream)
    with (
        live_run_elsewhere(connected.pk, "orders", on_postgres),
        live_run_elsewhere(connected.pk, "inventory", on_postgres),
    ):
        call_command("sync", "squarespace")
    assert "a live run already holds every stream" in capsys.readouterr().out


def test_the_connect_command_connects_with_a_key(adapter, capsys):
    call_command("connect", "squarespace", "--api-key", "good-key", "--json")
    assert '"account": "site-1"' in capsys.readouterr().out
    credential = Connection.objects.get().credential
    assert credential is not None
    assert credential.secret.reveal() == {"api_key": "good-key"}


def test_an_admin_connects_with_a_key_from_the_page(adapter, client, admin_user):
    client.force_login(admin_user)
    response = client.post("/connections/squarespace/key", {"api_key": "good-key"}, follow=True)
    assert "Connected" in response.content.decode()
    assert Connection.objects.count() == 1


def test_a_refused_key_shows_a_message_and_stores_nothing(adapter, client, admin_user):
    client.force_login(admin_user)
    response = client.post("/connections/squarespace/key", {"api_key": "bad"}, follow=True)
    assert response.status_code == 200
    assert "refused the key" in response.content.decode()
    assert Connection.objects.count() == 0


def test_viewers_and_operators_cannot_connect_sync_or_disconnect(
    adapter, connected, client, viewer, operator
):
    for user in (viewer, operator):
        client.force_login(user)
        assert client.post("/connections/squarespace/key", {"api_key": "x"}).status_code == 403
        assert client.post(f"/connections/{connected.pk}/sync").status_code == 403
        assert client.post(f"/connections/{connected.pk}/disconnect").status_code == 403
    connected.refresh_from_db()
    assert connected.status == ConnectionStatus.ACTIVE


def test_the_page_lists_connections_and_runs_for_viewers(adapter, connected, client, viewer):
    SyncRun.objects.create(connection=connected, stream="orders", rows_read=1234)
    client.force_login(viewer)
    page = client.get("/connections/").content.decode()
    assert "Flux store" in page
    assert "1,234" in page
    assert 'hx-trigger="every 2s"' in page  # a running run is polled
    assert "Sync now" not in page  # viewers get no buttons


def test_htmx_polling_gets_only_the_runs_fragment(adapter, connected, client, viewer):
    client.force_login(viewer)
    body = client.get("/connections/", headers={"HX-Request": "true"}).content.decode()
    assert body.lstrip().startswith('<div id="runs"')


def test_sync_now_runs_the_connection_after_commit(
    adapter, connected, client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/connections/{connected.pk}/sync")
    assert set(SyncRun.objects.values_list("stream", flat=True)) == {"orders", "inventory"}
    assert set(SyncRun.objects.values_list("trigger", flat=True)) == {"manual"}


def start_oauth(client) -> str:
    response = client.post("/connections/squarespace/connect")
    assert response.status_code == 302
    return str(parse_qs(urlsplit(response["Location"]).query)["state"][0])


def test_the_oauth_callback_with_the_right_state_connects(adapter, client, admin_user):
    client.force_login(admin_user)
    state = start_oauth(client)
    response = client.get("/oauth/squarespace/callback", {"state": state, "code": "c1"})
    assert response.status_code == 302
    assert adapter.exchanged == ["c1"]
    credential = Connection.objects.get().credential
    assert credential is not None
    assert credential.secret.reveal()["access_token"] == "token-for-c1"


def test_the_callback_on_the_public_address_returns_to_the_staff_address_it_began_on(
    adapter, client, admin_user, settings
):
    settings.ALLOWED_HOSTS = ["flux.example.ts.net"]
    client.force_login(admin_user)
    staff = {"HTTP_HOST": "flux.example.ts.net:8443", "secure": True}  # tailnet only
    response = client.post("/connections/squarespace/connect", **staff)
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    public = {"HTTP_HOST": "flux.example.ts.net", "secure": True}  # Funnel: public paths only
    back = client.get("/oauth/squarespace/callback", {"state": state, "code": "c1"}, **public)
    assert back["Location"] == "https://flux.example.ts.net:8443/connections/"
    assert Connection.objects.count() == 1


def test_a_denied_consent_connects_nothing(adapter, client, admin_user):
    client.force_login(admin_user)
    state = start_oauth(client)
    response = client.get(
        "/oauth/squarespace/callback", {"state": state, "error": "access_denied"}, follow=True
    )
    assert "did not grant access" in response.content.decode()
    assert Connection.objects.count() == 0


def test_the_schedule_queues_only_connections_that_have_the_streams(adapter, connected):
    from integrations.tasks import sync_scheduled

    shippo = Connection.objects.create(
        provider="shippo", external_account_id="test", display_name="Shippo"
    )
    assert sync_scheduled(["orders"]) == 1
    assert sync_scheduled(["orders"], provider="meta") == 0
    assert set(SyncRun.objects.values_list("connection_id", flat=True)) == {connected.pk}
    assert not SyncRun.objects.filter(connection=shippo).exists()
