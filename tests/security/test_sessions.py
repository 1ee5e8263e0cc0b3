"""Sessions: a new key at sign-in, and sign-out that ends the session on the server."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.test import Client
from django.urls import reverse

from flux.accounts.demo import current_totp_code

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def signed_in(make_user) -> tuple[Client, str]:
    """A client signed in with password and TOTP, and the session key it was given."""
    user = make_user("sal-session", "viewer")
    user.set_password(PASSWORD)
    user.save()
    TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.get(reverse("account_login"))
    client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(user, time.time())})
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def test_signing_in_rotates_the_session_key(make_user):
    user = make_user("rory-rotate", "viewer")
    user.set_password(PASSWORD)
    user.save()
    TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(user, time.time())})
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.session["_auth_user_id"] == str(user.pk)
    assert before
    assert after != before


def test_a_session_cookie_replayed_after_sign_out_is_signed_out(signed_in):
    client, old_key = signed_in
    assert client.get(reverse("dashboards:overview")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    response = replay.get(reverse("dashboards:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_sign_out_by_get_does_not_end_the_session(signed_in):
    client, _ = signed_in
    client.get(reverse("account_logout"))
    assert client.get(reverse("dashboards:overview")).status_code == 200
