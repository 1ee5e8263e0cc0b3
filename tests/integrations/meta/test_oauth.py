"""Connecting Meta through Facebook Login: dialog, callback, long-lived token, choices."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.db import connection as db
from django.test import Client
from django.urls import reverse

from integrations.meta.actions import token_expires_soon
from integrations.models import Connection
from tests.integrations.meta.conftest import Graph

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def begin(client: Client) -> str:
    """Start the flow, consent on the sandbox and return our callback's path and query."""
    start = client.post(reverse("integrations:oauth_start", args=["meta"]))
    assert start.status_code == 302
    query = parse_qs(urlsplit(start["Location"]).query)
    assert "ads_management" in query["scope"][0].split(",")
    assert "code_challenge" not in query  # Meta's login has no PKCE
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def test_an_admin_connects_the_ad_account_page_and_instagram(graph: Graph, admin_client: Client):
    assert admin_client.get(begin(admin_client)).status_code == 302
    connection = Connection.objects.get(provider="meta")
    assert connection.external_account_id == graph.usd.act_id
    assert connection.options["page_id"] == graph.brand.page_id
    assert connection.options["ig_user_id"] == graph.brand.ig_user_id
    assert len(connection.options["ad_accounts"]) == 2
    secret = connection.credential.secret.reveal()  # type: ignore[union-attr]
    assert secret["page_access_token"]
    assert connection.token_expires_at is not None
    lifetime = connection.token_expires_at - datetime.now(UTC)
    assert timedelta(days=59) < lifetime <= timedelta(days=60)
    assert not token_expires_soon(connection)
    assert graph.platform.writes[-1].route == "access_token"


def test_tokens_are_sealed_in_the_database(graph: Graph, admin_client: Client):
    admin_client.get(begin(admin_client))
    connection = Connection.objects.get(provider="meta")
    token = connection.credential.secret.reveal()["access_token"]  # type: ignore[union-attr]
    with db.cursor() as cursor:
        cursor.execute("SELECT secret FROM integrations_credential")
        raw = str(cursor.fetchall())
    assert token not in raw


def test_a_refused_consent_connects_nothing(graph: Graph, admin_client: Client):
    graph.platform.deny_consent = True
    answer = admin_client.get(begin(admin_client))
    assert answer.status_code == 302
    assert graph.platform.token_log == []
    assert not Connection.objects.exists()
