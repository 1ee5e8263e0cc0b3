"""Connecting Search Console through Google OAuth: the property chosen, read-only consent.

State abuse is tested for every provider in tests/security/test_oauth_state.py.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from integrations.models import Connection
from integrations.selectors import connections_needing_attention


@pytest.fixture
def admin_client(admin_user: User, sandbox_url: str) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def begin(client: Client) -> str:
    """Start the connect flow, consent at the sandbox, and return our callback URL."""
    start = client.post(reverse("integrations:oauth_start", args=["search_console"]))
    assert start.status_code == 302
    consent = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert consent.status_code == 302
    back = urlsplit(consent.headers["Location"])
    return f"{back.path}?{back.query}"


def test_an_admin_connects_the_first_verified_property(admin_client: Client):
    admin_client.get(begin(admin_client))
    connection = Connection.objects.get(provider="search_console")
    assert connection.external_account_id == "sc-domain:fluxengineering.example"
    assert connection.credential is not None
    secret = connection.credential.secret.reveal()
    assert secret["refresh_token"]
    assert secret["site_url"] == connection.external_account_id
    assert connection.token_expires_at is None  # it renews itself: no reconnect banner
    assert connections_needing_attention() == []


def test_the_consent_asks_for_read_only_offline_access_with_pkce(admin_client: Client):
    start = admin_client.post(reverse("integrations:oauth_start", args=["search_console"]))
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["scope"] == ["https://www.googleapis.com/auth/webmasters.readonly"]
    assert query["access_type"] == ["offline"]
    assert query["code_challenge_method"] == ["S256"]
