"""OAuth state abuse, for every provider that connects through OAuth, against the sandbox.

A callback whose state is missing, wrong, replayed, expired, another provider's or another
session's is refused with 400 (403 without an admin session) before the platform is asked for
anything: the sandbox records every request it receives, and sees none. Nothing is written.
"""

import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from integrations.models import Connection
from integrations.oauth_views import SESSION_KEY
from integrations.providers import registry
from tests.security.conftest import RunningSandbox
from tests.security.snapshot import changed_tables, row_counts

pytestmark = pytest.mark.django_db
OAUTH_PROVIDERS = [name for name in registry.names() if registry.get(name).connects_by_oauth]


def test_every_oauth_provider_of_the_design_is_covered():
    assert {"squarespace", "meta", "google_ads", "search_console"} <= set(OAUTH_PROVIDERS)


def other_provider(provider: str) -> str:
    return OAUTH_PROVIDERS[(OAUTH_PROVIDERS.index(provider) + 1) % len(OAUTH_PROVIDERS)]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def consent(client: Client, provider: str) -> tuple[str, dict[str, str]]:
    """Start the flow, consent on the sandbox and return our callback's path and parameters."""
    start = client.post(reverse("integrations:oauth_start", args=[provider]))
    assert start.status_code == 302, start.status_code
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    params = {key: values[0] for key, values in parse_qs(back.query).items()}
    assert back.path == reverse("oauth:callback", args=[provider])
    assert params["state"]
    assert params["code"]
    return back.path, params


def expire(client: Client, provider: str) -> None:
    session = client.session
    session[SESSION_KEY][provider]["expires"] = time.time() - 1
    session.save()


Callback = tuple[Client, str, dict[str, str]]  # who calls back, the path, the parameters
Abuse = Callable[[Client, str, User], Callback]


def missing(client: Client, provider: str, _: User) -> Callback:
    path, params = consent(client, provider)
    del params["state"]
    return client, path, params


def wrong(client: Client, provider: str, _: User) -> Callback:
    path, params = consent(client, provider)
    state = params["state"]
    return client, path, {**params, "state": state[:-1] + ("y" if state.endswith("x") else "x")}


def empty(client: Client, provider: str, _: User) -> Callback:
    path, params = consent(client, provider)
    return client, path, {**params, "state": ""}


def expired(client: Client, provider: str, _: User) -> Callback:
    path, params = consent(client, provider)
    expire(client, provider)
    return client, path, params


def another_providers(client: Client, provider: str, _admin: User) -> Callback:
    """The state and code of another provider's flow, sent to this provider's callback."""
    consent(client, provider)  # this provider's flow is pending too
    _, params = consent(client, other_provider(provider))
    return client, reverse("oauth:callback", args=[provider]), params


def another_session(client: Client, provider: str, admin: User) -> Callback:
    path, params = consent(client, provider)
    return signed_in(admin), path, params


ABUSES: dict[str, Abuse] = {
    "missing": missing,
    "wrong": wrong,
    "empty": empty,
    "expired": expired,
    "another provider's": another_providers,
    "another session's": another_session,
}


@pytest.mark.parametrize("provider", OAUTH_PROVIDERS)
@pytest.mark.parametrize("abuse", ABUSES, ids=str)
def test_a_callback_without_its_own_live_state_is_refused_before_any_platform_request(
    platforms: RunningSandbox, admin_user: User, make_user, provider: str, abuse: str
):
    second_admin = make_user("second-admin", "admin")
    client, path, params = ABUSES[abuse](signed_in(admin_user), provider, second_admin)
    platforms.paths.clear()
    before = row_counts()
    answer = client.get(path, params)
    assert answer.status_code == 400
    assert platforms.paths == []
    assert changed_tables(before) == {}


@pytest.mark.parametrize("provider", OAUTH_PROVIDERS)
def test_a_replayed_callback_is_refused_before_any_platform_request(
    platforms: RunningSandbox, admin_user: User, provider: str
):
    client = signed_in(admin_user)
    path, params = consent(client, provider)
    platforms.paths.clear()
    assert client.get(path, params).status_code == 302
    assert Connection.objects.filter(provider=provider).count() == 1
    assert platforms.paths, "the first use exchanges the code (so the record works)"
    platforms.paths.clear()
    before = row_counts()
    assert client.get(path, params).status_code == 400
    assert platforms.paths == []
    assert changed_tables(before) == {}


@pytest.mark.parametrize("provider", OAUTH_PROVIDERS)
@pytest.mark.parametrize("persona", ["anonymous", "outsider", "viewer", "operator"])
def test_a_callback_outside_an_admin_session_is_refused(
    platforms: RunningSandbox, admin_user: User, provider: str, persona: str, request
):
    _, params = consent(signed_in(admin_user), provider)
    client = Client() if persona == "anonymous" else signed_in(request.getfixturevalue(persona))
    platforms.paths.clear()
    before = row_counts()
    answer = client.get(f"{reverse('oauth:callback', args=[provider])}?{urlencode(params)}")
    assert answer.status_code == 403
    assert platforms.paths == []
    assert changed_tables(before) == {}


@pytest.mark.parametrize("provider", sorted(set(registry.names()) - set(OAUTH_PROVIDERS)))
def test_a_key_only_provider_has_no_callback_to_abuse(
    platforms: RunningSandbox, admin_user: User, provider: str
):
    client = signed_in(admin_user)
    _, params = consent(client, OAUTH_PROVIDERS[0])
    assert client.post(reverse("integrations:oauth_start", args=[provider])).status_code == 400
    platforms.paths.clear()
    answer = client.get(reverse("oauth:callback", args=[provider]), params)
    assert answer.status_code == 400
    assert platforms.paths == []
