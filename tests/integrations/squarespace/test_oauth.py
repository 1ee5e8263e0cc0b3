"""Connecting Squarespace through the browser flow: start, consent, callback."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from integrations.models import Connection
from integrations.selectors import connections_needing_attention
from tests.integrations.squarespace.conftest import Site

pytestmark = pytest.mark.django_db


def begin(client: Client, **consent: str) -> str:
    """Start the flow, consent on the sandbox and return our callback's path and query."""
    start = client.post(reverse("integrations:oauth_start", args=["squarespace"]))
    assert start.status_code == 302
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["scope"] == ["website.orders.read,website.inventory.read"]
    assert query["access_type"] == ["offline"]
    answer = requests.get(start["Location"], params=consent, allow_redirects=False, timeout=5)
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_an_admin_connects_a_site_and_its_webhooks_through_oauth(site: Site, admin_client: Client):
    answer = admin_client.get(begin(admin_client))
    assert answer.status_code == 302
    connection = Connection.objects.get(provider="squarespace")
    secret = connection.credential.secret.reveal()  # type: ignore[union-attr]
    assert connection.external_account_id == site.platform.website_id
    assert secret["kind"] == "oauth"
    assert secret["refresh_token"]
    assert secret["webhook_secret"] == next(iter(site.platform.subscriptions.values())).secret
    assert connection.token_expires_at is None  # it renews itself: no reconnect banner
    assert connections_needing_attention() == []


def test_a_denied_consent_stores_nothing(site: Site, admin_client: Client):
    answer = admin_client.get(begin(admin_client, deny="1"))
    assert answer.status_code == 302
    assert not Connection.objects.exists()


def test_a_code_is_good_once(site: Site, admin_client: Client):
    callback = begin(admin_client)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    admin_client.get(callback)
    again = requests.post(
        f"{site.url}/squarespace/api/1/login/oauth/provider/tokens",
        json={"grant_type": "authorization_code", "code": code, "redirect_uri": "x"},
        auth=("flux-squarespace", "sandbox-squarespace-secret"),
        timeout=5,
    )
    assert again.status_code == 400
