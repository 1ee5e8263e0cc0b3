"""Fuzzing the public sign-in pages (allauth's and the admin's login) as an anonymous visitor.

These are allauth's own views, so their answers are allauth's: a page (200, forms come back
with their errors), a redirect to the next sign-in step, or a 4xx. Whatever is sent: never a
5xx, a redirect never leaves the site (except the staff SSO start, to the identity provider),
and no table changes but the session one (a visitor's own sign-in state).
"""

from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.http import HttpResponseBase
from django.test import Client, override_settings
from hypothesis import strategies as st

from tests.flux.accounts.conftest import staff_sso  # noqa: F401 - a fixture
from tests.security.conftest import RunningSandbox
from tests.security.fuzzing import ANY_METHOD, CONTENT_TYPES, HEADERS, Hostile, fuzz, segment, send
from tests.security.test_url_walk import PUBLIC, ROUTES, Route

pytestmark = pytest.mark.django_db
SSO_CALLBACK = "openid_connect_callback"  # fuzzed with the other OAuth callbacks
SIGN_IN = sorted(
    (
        route
        for route in ROUTES
        if route.name in PUBLIC - {SSO_CALLBACK} and route.url.startswith(("/accounts/", "/admin/"))
    ),
    key=lambda route: route.url,
)
FIELDS = ("login", "password", "code", "email", "password1", "password2", "remember", "next")
EVIL = ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)")
fields = st.lists(
    st.tuples(
        st.sampled_from(FIELDS) | st.text(max_size=10), st.text(max_size=80) | st.sampled_from(EVIL)
    ),
    max_size=6,
)


@pytest.fixture
def sandbox_url(platforms: RunningSandbox) -> str:
    return platforms.url


@pytest.fixture(autouse=True)
def _quick_hashes_fresh_limits() -> Iterator[None]:
    """A fast password hasher (hashing speed is not under test) and empty rate-limit counters."""
    cache.clear()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield
    cache.clear()


def paths(route: Route) -> st.SearchStrategy[str]:
    """The route's URL, and with its key or provider segment replaced by generated text."""
    head, _, tail = route.url.rstrip("/").rpartition("/")
    if route.name == "openid_connect_login":
        head, tail = "/accounts/oidc", "staff-sso/login"
        keys = st.just("staff-sso") | st.text(max_size=30).map(segment)
        return keys.map(lambda key: f"{head}/{key}/login/")
    if tail not in ("1", "1-1"):
        return st.just(route.url)
    return st.just(route.url) | st.text(max_size=40).map(lambda key: f"{head}/{segment(key)}/")


def stays_on_site(location: str, identity_provider: str) -> bool:
    if location.startswith(identity_provider):
        return True
    target = urlsplit(location)
    return not target.scheme and not target.netloc and not location.startswith(("//", "/\\"))


@pytest.mark.parametrize("route", SIGN_IN, ids=str)
def test_a_sign_in_page_answers_anything_without_a_server_error_or_a_write(
    route: Route,
    platforms: RunningSandbox,
    staff_sso: str,  # noqa: F811 - the fixture
):
    cases = st.builds(
        lambda method, path, query, form, content_type, headers: Hostile(
            method, path, query, urlencode(form).encode(), content_type, headers
        ),
        ANY_METHOD,
        paths(route),
        fields,
        fields,
        st.sampled_from(CONTENT_TYPES[:4]),
        HEADERS,
    )

    def check(case: Hostile, response: HttpResponseBase) -> None:
        if 300 <= response.status_code < 400:
            assert stays_on_site(response["Location"], platforms.url), (response["Location"], case)

    fuzz(
        cases,
        lambda case: send(Client(), case),
        check,
        may_change=frozenset({Session._meta.db_table}),
    )


# Where every other public URL is fuzzed, so a new public URL needs a fuzz test on purpose.
FUZZED_ELSEWHERE = {
    "healthz": "test_fuzz_pages",
    "privacy:policy": "test_fuzz_pages",
    "privacy:deletion_status": "test_fuzz_pages",
    "privacy:deletion": "test_fuzz_deletion",
    "privacy:meta_callback": "test_fuzz_deletion",
    "oauth:callback": "test_fuzz_oauth",
    SSO_CALLBACK: "test_fuzz_oauth",
    "squarespace_webhooks:notify": "test_fuzz_webhooks",
    "shippo_webhooks:track_updated": "test_fuzz_webhooks",
}


def test_every_public_url_is_fuzzed():
    assert {route.name for route in SIGN_IN} | set(FUZZED_ELSEWHERE) == PUBLIC
