"""Local password accounts: TOTP at sign-in, enforced enrolment, and the off switch."""

import time
from collections.abc import Callable

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth.models import User
from django.urls import reverse

from flux.accounts.demo import current_totp_code
from tests.flux.accounts.conftest import inline_code

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def password_operator(make_user: Callable[[str, str | None], User]) -> User:
    user = make_user("pat-password", "operator")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def with_totp(password_operator: User) -> User:
    TOTP.activate(password_operator, generate_totp_secret())
    return password_operator


def sign_in(client, username: str = "pat-password", password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": username, "password": password})


def test_a_totp_user_is_asked_for_the_code_before_being_signed_in(client, with_totp):
    response = sign_in(client)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboards:overview")).status_code == 302
    code = current_totp_code(with_totp, time.time())
    done = client.post(reverse("mfa_authenticate"), {"code": code})
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(with_totp.pk)
    assert client.get(reverse("dashboards:overview")).status_code == 200


def test_a_wrong_totp_code_keeps_the_user_out(client, with_totp):
    sign_in(client)
    right = current_totp_code(with_totp, time.time())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert "_auth_user_id" not in client.session


def test_a_password_user_without_totp_can_reach_only_enrolment(client, password_operator):
    sign_in(client)
    for name in ("home", "dashboards:overview", "proposals:index", "mfa_index"):
        response = client.get(reverse(name))
        assert (response.status_code, response["Location"]) == (302, reverse("mfa_activate_totp"))
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_enrolling_totp_opens_the_app(client, password_operator):
    sign_in(client)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=password_operator, type="totp").exists()
    assert client.get(reverse("dashboards:overview")).status_code == 200


def test_the_enrolment_page_shows_the_qr_code_as_a_data_uri_without_inline_code(
    client, password_operator
):
    sign_in(client)
    html = client.get(reverse("mfa_activate_totp")).content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    assert inline_code(html) == []


def test_the_sign_in_page_offers_sso_and_the_password_form_when_allowed(client, settings):
    settings.FLUX_ALLOW_PASSWORD_LOGIN = True
    html = client.get(reverse("account_login")).content.decode()
    assert "Sign in with Flux staff SSO" in html
    assert 'id="password-login"' in html
    assert inline_code(html) == []


def test_with_password_login_off_the_form_is_gone_and_a_post_is_refused(
    client, settings, with_totp
):
    settings.FLUX_ALLOW_PASSWORD_LOGIN = False
    html = client.get(reverse("account_login")).content.decode()
    assert "Sign in with Flux staff SSO" in html
    assert 'id="password-login"' not in html
    assert sign_in(client).status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_admin_login_page_sends_people_to_the_real_sign_in(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
