"""Connecting Google Ads through the browser: consent with PKCE, sealed tokens.

State abuse (missing, wrong, replayed, expired ...) is tested for every provider in
tests/security/test_oauth_state.py.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from integrations.models import Connection, Credential
from tests.integrations.google_ads.conftest import Ads

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def begin(client: Client, provider: str = "google_ads") -> str:
    start = client.post(reverse("integrations:oauth_start", args=[provider]))
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["scope"] == ["https://www.googleapis.com/auth/adwords"]
    assert query["access_type"] == ["offline"]
    assert query["prompt"] == ["consent"]
    assert query["code_challenge_method"] == ["S256"]
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def test_an_admin_connects_the_first_accessible_customer(ads: Ads, admin_client: Client):
    assert admin_client.get(begin(admin_client)).status_code == 302
    connection = Connection.objects.get(provider="google_ads")
    assert connection.external_account_id == ads.platform.customer_id
    secret = connection.credential.secret.reveal()  # type: ignore[union-attr]
    assert secret["refresh_token"].startswith("1//")
    stored = Credential.objects.values_list("secret", flat=True).get()
    assert secret["refresh_token"] not in str(stored)
    assert ads.google.token_log[0] == "authorization_code"


def test_a_wrong_pkce_verifier_is_refused_by_the_platform(ads: Ads, admin_client: Client):
    callback = begin(admin_client)
    session = admin_client.session
    session["flux_oauth_pending"]["google_ads"]["verifier"] = "not-the-verifier"
    session.save()
    admin_client.get(callback)
    assert not Connection.objects.exists()
    assert ads.google.token_log == ["authorization_code"]


def test_denied_consent_stores_nothing(ads: Ads, admin_client: Client):
    ads.google.deny = True
    admin_client.get(begin(admin_client))
    assert not Connection.objects.exists()
    assert ads.google.token_log == []
