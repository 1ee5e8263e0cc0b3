"""Sessions and cookies: a new key at every sign-in, sign-out ends the session on the server,
and the cookies carry their flags (in production: __Host- names, Secure, HttpOnly, SameSite).
"""

import json
import time
from http.cookies import Morsel, SimpleCookie
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from flux.accounts.demo import current_totp_code
from tests.flux.accounts.conftest import callback_path, staff_sso, start_sso  # noqa: F401
from tests.flux.test_settings import run_manage, strong_production_env
from tests.sandbox.conftest import sandbox_app, sandbox_url  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Forget sign-in rate limits and used TOTP codes (the cache outlives a test on Redis)."""
    cache.clear()


def password_user(make_user: Any, username: str) -> User:
    user: User = make_user(username, "viewer")
    user.set_password(PASSWORD)
    user.save()
    TOTP.activate(user, generate_totp_secret())
    return user


def sign_in(client: Client, user: User) -> Any:
    """Sign in with password, then TOTP; return the last response."""
    client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    code = current_totp_code(user, time.time())
    return client.post(reverse("mfa_authenticate"), {"code": code})


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def signed_in(make_user) -> tuple[Client, str]:
    """A client signed in with password and TOTP, and the session key it was given."""
    client = Client()
    client.get(reverse("account_login"))
    sign_in(client, password_user(make_user, "sal-session"))
    return client, session_key(client)


def test_signing_in_rotates_the_session_key(make_user):
    user = password_user(make_user, "rory-rotate")
    client = Client()
    client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    before = session_key(client)
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(user, time.time())})
    after = session_key(client)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert before
    assert after != before
    assert not SessionStore().exists(before)


def test_a_session_key_planted_before_sign_in_is_not_the_signed_in_session(make_user):
    planted = SessionStore()
    planted["planted"] = True
    planted.save()
    assert planted.session_key is not None
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    sign_in(client, password_user(make_user, "fiona-fixation"))
    assert session_key(client) != planted.session_key
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    response = attacker.get(reverse("dashboards:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_sso_sign_in_rotates_the_session_key(staff_sso):  # noqa: F811 - the fixture
    client = Client()
    authorize = start_sso(client)  # the pending state lives in this first session
    before = session_key(client)
    response = client.get(callback_path(authorize, "staff"))
    assert response.status_code == 302
    assert client.session["_auth_user_id"]
    assert session_key(client) != before
    assert not SessionStore().exists(before)


def test_a_session_cookie_replayed_after_sign_out_is_signed_out(signed_in):
    client, old_key = signed_in
    assert client.get(reverse("dashboards:overview")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert not SessionStore().exists(old_key)
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    response = replay.get(reverse("dashboards:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert replay.post(reverse("catalog:create"), {"name": "x"}).status_code == 302


def test_sign_out_by_get_does_not_end_the_session(signed_in):
    client, _ = signed_in
    client.get(reverse("account_logout"))
    assert client.get(reverse("dashboards:overview")).status_code == 200


def test_the_session_cookie_is_http_only_and_same_site_in_every_environment(make_user):
    client = Client()
    response = sign_in(client, password_user(make_user, "hugo-httponly"))
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # a browser-session cookie: gone when the browser closes


# --- Production settings, in their own process: the real Set-Cookie headers ---------------

PRODUCTION_COOKIES = """
import json
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import Client, RequestFactory

with connection.schema_editor() as editor:
    editor.create_model(Session)

def view(request):
    request.session["seen"] = True
    get_token(request)
    return HttpResponse("ok")

host = "flux.example.ts.net"
request = RequestFactory().get("/", secure=True, HTTP_HOST=host)
answer = SessionMiddleware(CsrfViewMiddleware(view))(request)
client = Client(HTTP_HOST=host)
secure = client.get("/healthz", secure=True)
plain = client.get("/privacy")
print(json.dumps({
    "cookies": answer.cookies.output(header="", sep="\\n"),
    "hsts": secure.get("Strict-Transport-Security", ""),
    "plain": [plain.status_code, plain.get("Location", "")],
}))
"""


@pytest.fixture(scope="module")
def production() -> dict[str, Any]:
    """Run a request through the production settings in a child process; return what it saw."""
    env = {**strong_production_env(), "DATABASE_URL": "sqlite://:memory:"}
    result = run_manage(env, "shell", "--no-imports", "-c", PRODUCTION_COOKIES)
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def morsel(headers: str, name: str) -> Morsel[str]:
    """Parse the Set-Cookie lines and return the cookie called `name`."""
    jar: SimpleCookie = SimpleCookie()
    for line in headers.splitlines():
        jar.load(line.strip())
    return jar[name]


@pytest.mark.parametrize("name", ["__Host-flux-session", "__Host-flux-csrf"])
def test_production_cookies_are_host_only_secure_and_same_site(production, name):
    found = morsel(production["cookies"], name)
    assert found["secure"]
    assert found["samesite"] == "Lax"
    # A __Host- cookie must have Path=/ and no Domain, or browsers drop it.
    assert found["path"] == "/"
    assert found["domain"] == ""


def test_the_production_session_cookie_is_http_only(production):
    assert morsel(production["cookies"], "__Host-flux-session")["httponly"]


def test_production_answers_over_https_only(production):
    assert production["hsts"].startswith("max-age=31536000")
    status, location = production["plain"]
    assert status == 301
    assert location == "https://flux.example.ts.net/privacy"
