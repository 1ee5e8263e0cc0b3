"""Walk every URL pattern of the project as anonymous, outsider, viewer, operator and admin.

Anonymous GETs outside PUBLIC must redirect to sign-in; anonymous writes anywhere outside
PUBLIC must be refused (403) or redirected; nothing may answer 500. A view marked
login_not_required whose name is not in PUBLIC fails the walk, so a new public URL needs
a deliberate line here.

Signed in, each persona reads and writes every pattern: below the role a view declares
(role_required; the admin site needs the admin role, every other page the viewer role) it
is refused with 403 (405 where the method is refused first) and nothing is written; at or
above it, a view that declares its role does not refuse it; nobody ever gets a 5xx.
"""

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from flux.accounts.roles import Role
from tests.security.snapshot import changed_tables, row_counts

PUBLIC = {
    # The health probe and the public privacy surface.
    "healthz",
    "privacy:policy",
    "privacy:deletion",
    "privacy:deletion_status",
    "privacy:meta_callback",
    # Each platform's OAuth redirect back to us (it checks its own signed state).
    "oauth:callback",
    # Platform webhooks: each checks its own signature or token.
    "squarespace_webhooks:notify",
    "shippo_webhooks:track_updated",
    # Staff SSO: the button's target and the identity provider's callback.
    "openid_connect_login",
    "openid_connect_callback",
    "socialaccount_login_cancelled",
    "socialaccount_signup",  # sign-up is closed; the page says so
    # allauth's own sign-in, sign-out and second-factor steps.
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",  # closed: renders "no access"
    "account_confirm_login_code",
    "mfa_authenticate",
    # allauth's email and password-reset pages, public by design (they act on a secret key).
    "account_email_verification_sent",
    "account_confirm_email",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    # Django's admin login: our middleware sends it on to account_login.
    "admin:login",
}
SAMPLES = ("1", "auth", "staff-sso", "sample", "user", "0c3b0c2e-1f4e-4d1b-9f7e-0a1b2c3d4e5f")
WRITES = ("post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    """One URL pattern of the project, with a sample URL filled in."""

    name: str | None
    url: str
    public: bool
    declared: Role | None  # the role its view declares with role_required, if any

    @property
    def admin(self) -> bool:
        """Django's admin marks its views public and checks access itself (our admin check)."""
        return self.url.startswith("/admin/")

    @property
    def minimum(self) -> Role:
        """The least role that may use it: the admin site's, the declared one, or a viewer's."""
        return Role.ADMIN if self.admin else self.declared or Role.VIEWER

    def __str__(self) -> str:
        return f"{self.name or '<unnamed>'} {self.url}"


def _patterns(
    resolvers: list[Any], namespace: str = "", prefix: str = ""
) -> Iterator[tuple[str | None, URLPattern, str]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield name, entry, prefix + str(entry.pattern)


KWARG = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<\w+>[^()]*\)")
CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")
UUID = "0c3b0c2e-1f4e-4d1b-9f7e-0a1b2c3d4e5f"


def _kwarg_names(route: str) -> list[str]:
    return [a or b for a, b in KWARG.findall(route)]


def _filled(route: str) -> str:
    """Fill an unnamed pattern's path converters directly (it cannot be reversed)."""
    path = REGEX_GROUP.sub("1", route)
    path = CONVERTER.sub(lambda m: UUID if m.group(1) == "uuid" else "1", path)
    return "/" + path.replace("^", "").replace("$", "")


def _sample_url(name: str | None, route: str) -> str:
    kwargs = _kwarg_names(route)
    if name is None:
        return _filled(route)
    for values in itertools.product(SAMPLES, repeat=len(kwargs)):
        try:
            return reverse(name, kwargs=dict(zip(kwargs, values, strict=True)))
        except NoReverseMatch:
            continue
    raise AssertionError(f"no sample values fit {name} ({route})")


def all_routes() -> list[Route]:
    """Every pattern of the URL map, through every include, with a sample URL."""
    routes = []
    for name, pattern, route in _patterns(get_resolver().url_patterns):
        public = not getattr(pattern.callback, "login_required", True)
        declared = getattr(pattern.callback, "minimum_role", None)
        routes.append(Route(name, _sample_url(name, route), public, declared))
    return routes


ROUTES = all_routes()
PRIVATE = [route for route in ROUTES if route.name not in PUBLIC]
LOGIN_URL = resolve_url(settings.LOGIN_URL)


def test_the_walk_reaches_every_area_of_the_project():
    names = {route.name for route in ROUTES}
    assert {"home", "admin:index", "account_login", "openid_connect_callback"} <= names
    assert {"dashboards:index", "privacy:requests", "mfa_activate_totp"} <= names


def test_the_walk_sees_the_roles_views_declare():
    declared = {route.name: route.declared for route in ROUTES}
    assert declared["catalog:create"] == Role.OPERATOR
    assert declared["integrations:oauth_start"] == Role.ADMIN
    assert declared["dashboards:overview"] is None  # any staff role: the gate's viewer


def test_every_allow_listed_name_exists():
    assert PUBLIC - {route.name for route in ROUTES} == set()


def test_every_view_marked_public_is_allow_listed():
    slipped = [str(r) for r in ROUTES if r.public and r.name not in PUBLIC and not r.admin]
    assert slipped == []


def final_location(client: Client, url: str) -> tuple[int, str]:
    """Follow up to three redirects; return the first non-redirect status, or 302 and the path."""
    response = client.get(url)
    for _ in range(3):
        if response.status_code != 302:
            break
        url = response["Location"]
        if url.split("?")[0] == LOGIN_URL:
            return 302, LOGIN_URL
        response = client.get(url)
    return response.status_code, url.split("?")[0]


@pytest.mark.django_db
@pytest.mark.parametrize("route", PRIVATE, ids=str)
def test_an_anonymous_get_outside_the_allow_list_goes_to_sign_in(route):
    # The admin sends people to its own login page first, which forwards to ours.
    assert final_location(Client(), route.url) == (302, LOGIN_URL)


@pytest.mark.django_db
@pytest.mark.parametrize("route", PRIVATE, ids=str)
def test_anonymous_writes_outside_the_allow_list_are_refused(route):
    client = Client(enforce_csrf_checks=True)
    for method in WRITES:
        response = getattr(client, method)(route.url)
        assert response.status_code in (302, 403), (method, route, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r.name in PUBLIC], ids=str)
def test_public_urls_never_fail_with_a_server_error(route):
    client = Client(enforce_csrf_checks=True)
    for method in ("get", *WRITES):
        assert getattr(client, method)(route.url).status_code < 500, (method, route)


PERSONAS = {"outsider": None, "viewer": Role.VIEWER, "operator": Role.OPERATOR, "admin": Role.ADMIN}
SIGN_OUT = "account_logout"  # a write there ends the persona's session: tested elsewhere
# Pages that answer a POST as they answer a GET (their views do not restrict the method) and
# write nothing. Every other staff page refuses a viewer's POST, so a new view that writes
# without declaring its role fails the walk unless someone adds it here on purpose.
READ_ONLY_PAGES = {
    "home",
    "audit:list",
    "catalog:index",
    "dashboards:index",  # a redirect to the overview
    "proposals:ai_calls",
    "proposals:rules:index",
    "reconciliation:index",
    "reconciliation:export",
    "social:index",
    "social:calendar",
    "sandbox:index",
}
ADMIN_ONLY = {
    "integrations:sync_now",
    "integrations:disconnect",
    "integrations:connect_key",
    "integrations:oauth_start",
}


def persona_client(persona: str, request: pytest.FixtureRequest) -> Client:
    user = request.getfixturevalue("admin_user" if persona == "admin" else persona)
    client = Client()
    client.force_login(user)
    return client


def status_of(client: Client, method: str, route: Route) -> int:
    """Make the request; the admin site answers after its redirects (to its index or login)."""
    return int(getattr(client, method)(route.url, follow=route.admin).status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("route", PRIVATE, ids=str)
def test_each_persona_gets_what_its_role_allows_and_never_a_server_error(route, request):
    for persona, role in PERSONAS.items():
        client = persona_client(persona, request)
        allowed = role is not None and role >= route.minimum
        for method in ("get", "post"):
            if method == "post" and route.name == SIGN_OUT:
                continue
            before = {} if allowed else row_counts()
            status = status_of(client, method, route)
            assert status < 500, (persona, method, status)
            if not allowed:
                assert status in (403, 405), (persona, method, status)
                assert changed_tables(before) == {}, (persona, method)
            elif route.declared is not None and method == "get":
                # A view may ask more for a write (guardrails: admins edit, viewers read).
                assert status != 403, persona
            if persona == "viewer" and method == "post" and route.name not in READ_ONLY_PAGES:
                # 404: the sample object does not exist; allauth's own pages are per user.
                assert status in (403, 404, 405) or route.url.startswith("/accounts/"), status


def test_the_read_only_pages_and_admin_only_views_are_the_listed_ones():
    names = {route.name for route in ROUTES}
    assert names >= READ_ONLY_PAGES
    assert {r.name for r in ROUTES if r.declared == Role.ADMIN} == ADMIN_ONLY


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["viewer", "operator"])
def test_non_admins_are_refused_by_the_admin(persona, request):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    for name in ("admin:index", "admin:auth_user_changelist"):
        response = client.get(reverse(name), follow=True)
        assert response.status_code == 403
        assert "Flux Marketing administration" not in response.content.decode()


@pytest.mark.django_db
def test_an_admin_reaches_the_admin(admin_user):
    client = Client()
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
