"""Sign-in fixtures: the sandbox identity provider in a thread, settings pointed at it."""

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
import requests
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.sandbox.conftest import sandbox_app, sandbox_url  # noqa: F401 - shared fixtures

STAFF_DOMAIN = "flux-engineering.example"
TIMEOUT = 5


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Forget rate limits and used TOTP codes between tests."""
    cache.clear()


@pytest.fixture
def staff_sso(settings, sandbox_url: str) -> str:  # noqa: F811 - the imported fixture
    """Point the staff-sso provider at the running sandbox; return the issuer."""
    issuer = f"{sandbox_url}/oidc"
    app = {**settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]}
    app["settings"] = {"server_url": issuer}
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [app]}
    }
    settings.FLUX_STAFF_DOMAINS = [STAFF_DOMAIN]
    return issuer


def start_sso(client: Client) -> str:
    """Press the staff SSO button; return the authorize URL allauth redirects to."""
    response = client.post(
        reverse("openid_connect_login", args=["staff-sso"]), {"process": "login"}
    )
    assert response.status_code == 302
    return str(response["Location"])


def callback_path(authorize_url: str, hint: str) -> str:
    """Sign in at the sandbox as `hint` over real HTTP; return the callback path and query."""
    answer = requests.get(
        f"{authorize_url}&login_hint={hint}", allow_redirects=False, timeout=TIMEOUT
    )
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    return f"{location.path}?{location.query}"


SignIn = Callable[..., object]


@pytest.fixture
def sso_sign_in(staff_sso: str) -> SignIn:
    """Run the whole authorization-code flow for `hint`; return the callback response."""

    def sign_in(client: Client, hint: str = "staff") -> object:
        return client.get(callback_path(start_sso(client), hint))

    return sign_in


INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def inline_code(html: str) -> list[str]:
    """Return every inline script, style or event handler in `html` (strict CSP forbids them)."""
    return INLINE_CODE.findall(html)
