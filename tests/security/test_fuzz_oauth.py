"""Fuzzing the OAuth callbacks: ours at /oauth/<provider>/callback and the staff SSO one.

Whoever calls (anonymous, a viewer, an admin with or without a flow pending) and whatever the
query, a callback without its live state is refused with a 4xx, the platforms are asked for
no token, and nothing is written. The staff SSO callback (allauth's) answers its
authentication-error page with 401.
"""

from typing import Any
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from hypothesis import strategies as st

from integrations.providers import registry
from tests.flux.accounts.conftest import staff_sso, start_sso  # noqa: F401 - a fixture
from tests.security.conftest import RunningSandbox
from tests.security.fuzzing import HEADERS, Hostile, fuzz, segment, send

pytestmark = pytest.mark.django_db
OAUTH_PROVIDERS = [name for name in registry.names() if registry.get(name).connects_by_oauth]
CALLER = ("anonymous", "viewer", "admin", "admin with a flow pending")
PARAMS = ("state", "code", "error", "error_description", "scope", "iss", "session_state")
queries = st.lists(
    st.tuples(st.sampled_from(PARAMS) | st.text(max_size=10), st.text(max_size=80)), max_size=6
)
slugs = st.sampled_from(registry.names()) | st.from_regex(r"[-a-zA-Z0-9_]{1,20}", fullmatch=True)


@pytest.fixture
def sandbox_url(platforms: RunningSandbox) -> str:
    """The recording sandbox serves the staff identity provider too."""
    return platforms.url


def test_our_callback_refuses_every_forged_return_and_asks_no_platform(
    platforms: RunningSandbox, viewer: User, admin_user: User
):
    clients = {"anonymous": Client(), "viewer": Client(), "admin": Client()}
    clients["viewer"].force_login(viewer)
    clients["admin"].force_login(admin_user)
    pending = Client()
    pending.force_login(admin_user)
    cases = st.builds(
        lambda caller, provider, query, headers, method: (
            caller,
            Hostile(method, f"/oauth/{segment(provider)}/callback", query, headers=headers),
        ),
        st.sampled_from(CALLER),
        slugs | st.text(max_size=20),
        queries,
        HEADERS.map(lambda headers: {k: v for k, v in headers.items() if k != "Cookie"}),
        st.sampled_from(["GET"] * 8 + ["POST", "HEAD"]),
    )

    def start(provider: str) -> None:
        pending.post(reverse("integrations:oauth_start", args=[provider]))

    for provider in OAUTH_PROVIDERS:  # a live state for each: the forged ones are not it
        start(provider)

    def attempt(case: tuple[str, Hostile]) -> HttpResponseBase:
        caller, request = case
        if caller != "admin with a flow pending":
            return send(clients[caller], request)
        response = send(pending, request)
        provider = unquote(request.path.split("/")[2])
        if provider in OAUTH_PROVIDERS:
            start(provider)  # the refused callback used its state up: make a new one
        return response

    def check(case: tuple[str, Hostile], response: HttpResponseBase) -> None:
        assert 400 <= response.status_code < 500, (response.status_code, case)
        assert platforms.paths == [], case

    statuses = fuzz(cases, attempt, check)
    assert {400, 403, 404, 405} <= set(statuses)


def test_the_staff_sso_callback_refuses_every_forged_return_and_redeems_no_code(
    platforms: RunningSandbox,
    staff_sso: str,  # noqa: F811 - the fixture
):
    callback = reverse("openid_connect_callback", args=["staff-sso"])
    fresh = st.booleans()  # a fresh visitor, or one whose SSO flow is pending
    cases = st.builds(
        lambda new, query, headers, verb: (new, Hostile(verb, callback, query, headers=headers)),
        fresh,
        queries,
        HEADERS.map(lambda headers: {k: v for k, v in headers.items() if k != "Cookie"}),
        st.sampled_from(["GET"] * 8 + ["POST", "HEAD"]),
    )
    visitor = Client()
    # A live state and PKCE verifier, kept until a callback brings that state (none will).
    start_sso(visitor)

    def attempt(case: tuple[bool, Hostile]) -> HttpResponseBase:
        new, request = case
        return send(Client() if new else visitor, request)

    def check(case: Any, response: HttpResponseBase) -> None:
        assert 400 <= response.status_code < 500, (response.status_code, case)
        assert "POST /oidc/token" not in platforms.paths, case

    fuzz(cases, attempt, check)
