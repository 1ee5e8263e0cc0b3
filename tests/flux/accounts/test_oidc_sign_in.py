"""Staff SSO end to end against the sandbox identity provider over loopback HTTP."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from flux.accounts.oidc import nonce_for
from flux.accounts.roles import Role, role_of
from tests.flux.accounts.conftest import TIMEOUT, callback_path, start_sso

pytestmark = pytest.mark.django_db


def signed_in_user(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def arm(sandbox_url: str, route: str, fault: str) -> None:
    armed = requests.post(
        f"{sandbox_url}/_sandbox/oidc/faults",
        json={"route": route, "fault": fault},
        timeout=TIMEOUT,
    )
    assert armed.status_code == 200


def test_a_staff_identity_signs_in_as_a_new_viewer(client, sso_sign_in):
    response = sso_sign_in(client, "staff")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = signed_in_user(client)
    assert user is not None
    assert user.email == "riley.park@flux-engineering.example"
    assert role_of(user) == Role.VIEWER
    assert client.get(reverse("dashboards:overview")).status_code == 200


def test_the_account_is_keyed_on_issuer_and_subject(client, sso_sign_in, staff_sso):
    sso_sign_in(client, "staff")
    account = SocialAccount.objects.get()
    assert (account.provider, account.uid) == ("staff-sso", "sbx-staff-0001")
    assert account.extra_data["id_token"]["iss"] == staff_sso
    client.logout()
    sso_sign_in(client, "staff")
    assert SocialAccount.objects.count() == 1
    assert signed_in_user(client) == account.user


def test_the_authorization_request_carries_pkce_and_a_nonce_bound_to_state(client, staff_sso):
    query = parse_qs(urlsplit(start_sso(client)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"] == [nonce_for(query["state"][0])]


def test_a_mismatched_state_is_refused(client, staff_sso):
    path = callback_path(start_sso(client), "staff").replace("state=", "state=forged")
    response = client.get(path)
    assert response.status_code == 401
    assert "Sign-in failed" in response.content.decode()
    assert signed_in_user(client) is None


def test_a_callback_replayed_in_another_session_is_refused(client, staff_sso):
    path = callback_path(start_sso(client), "staff")
    attacker = Client()
    attacker.get(reverse("account_login"))
    assert "Sign-in failed" in attacker.get(path).content.decode()
    assert signed_in_user(attacker) is None


@pytest.mark.parametrize(
    "fault", ["wrong_nonce", "wrong_issuer", "wrong_audience", "expired_id_token"]
)
def test_a_bent_id_token_is_refused(client, sso_sign_in, sandbox_url, fault):
    arm(sandbox_url, "token", fault)
    response = sso_sign_in(client, "staff")
    assert "Sign-in failed" in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_userinfo_about_another_subject_is_refused(client, sso_sign_in, sandbox_url):
    arm(sandbox_url, "userinfo", "wrong_subject")
    assert "Sign-in failed" in sso_sign_in(client, "staff").content.decode()
    assert signed_in_user(client) is None


def test_a_foreign_domain_is_refused(client, sso_sign_in):
    response = sso_sign_in(client, "foreign")
    assert "No access" in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_an_unverified_email_is_refused(client, sso_sign_in):
    response = sso_sign_in(client, "unverified")
    assert "No access" in response.content.decode()
    assert signed_in_user(client) is None


def test_an_admin_made_user_is_linked_when_the_email_is_verified(client, sso_sign_in, make_user):
    outside = make_user("casey", "operator")
    outside.email = "casey.quinn@elsewhere.example"
    outside.save()
    sso_sign_in(client, "foreign")
    assert signed_in_user(client) == outside
    assert role_of(outside) == Role.OPERATOR
    assert SocialAccount.objects.get().user == outside


def test_an_admin_made_user_is_not_linked_on_an_unverified_email(client, sso_sign_in, make_user):
    jamie = make_user("jamie", "admin")
    jamie.email = "jamie.fox@flux-engineering.example"
    jamie.save()
    sso_sign_in(client, "unverified")
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_a_linked_user_is_not_taken_over_by_a_second_subject(client, sso_sign_in, make_user):
    sso_sign_in(client, "staff")
    first = signed_in_user(client)
    client.logout()
    # Another subject of the same issuer now claims the same verified address.
    SocialAccount.objects.filter(user=first).update(uid="sbx-staff-0002")
    sso_sign_in(client, "staff")
    assert signed_in_user(client) is None
