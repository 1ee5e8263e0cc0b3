"""The Google OAuth imitation: consent, PKCE, offline refresh tokens, refresh and revoke."""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox.platforms.google_oauth import ADWORDS_SCOPE, GoogleApp, GoogleOAuth
from sandbox.server import Sandbox

APP = GoogleApp()
REDIRECT = "https://flux.example/oauth/google_ads/callback"
VERIFIER = "v" * 64


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def consent(url: str, **extra: str) -> dict[str, list[str]]:
    params = {
        "client_id": APP.client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": ADWORDS_SCOPE,
        "state": "s1",
        "access_type": "offline",
        "prompt": "consent",
        "code_challenge": challenge(VERIFIER),
        "code_challenge_method": "S256",
        **extra,
    }
    answer = requests.get(f"{url}/google/o/oauth2/v2/auth", params=params, timeout=5,
                          allow_redirects=False)  # fmt: skip
    assert answer.status_code == 302
    return parse_qs(urlsplit(answer.headers["Location"]).query)


def token(url: str, **form: str) -> requests.Response:
    body = {"client_id": APP.client_id, "client_secret": APP.client_secret, **form}
    return requests.post(f"{url}/google/token", data=body, timeout=5)


def redeem(url: str, code: str, verifier: str = VERIFIER) -> requests.Response:
    return token(url, grant_type="authorization_code", code=code, redirect_uri=REDIRECT,
                 code_verifier=verifier)  # fmt: skip


@pytest.fixture
def google(sandbox_app: Sandbox) -> GoogleOAuth:
    platform = sandbox_app.platforms["google"]
    assert isinstance(platform, GoogleOAuth)
    return platform


def test_an_offline_consent_returns_a_refresh_token_that_refreshes(sandbox_url, google):
    query = consent(sandbox_url)
    assert query["state"] == ["s1"]
    tokens = redeem(sandbox_url, query["code"][0]).json()
    assert tokens["refresh_token"]
    assert tokens["token_type"] == "Bearer"
    assert google.access_scopes(tokens["access_token"]) == {ADWORDS_SCOPE}
    again = token(sandbox_url, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert again.status_code == 200
    assert "refresh_token" not in again.json()


def test_a_wrong_code_verifier_is_refused(sandbox_url, google):
    answer = redeem(sandbox_url, consent(sandbox_url)["code"][0], verifier="w" * 64)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_a_code_is_good_once(sandbox_url, google):
    code = consent(sandbox_url)["code"][0]
    assert redeem(sandbox_url, code).status_code == 200
    assert redeem(sandbox_url, code).json()["error"] == "invalid_grant"


def test_a_second_consent_without_prompt_brings_no_refresh_token(sandbox_url, google):
    redeem(sandbox_url, consent(sandbox_url)["code"][0])
    later = redeem(sandbox_url, consent(sandbox_url, prompt="")["code"][0]).json()
    assert "refresh_token" not in later


def test_a_revoked_refresh_token_is_an_invalid_grant(sandbox_url, google):
    refresh = redeem(sandbox_url, consent(sandbox_url)["code"][0]).json()["refresh_token"]
    revoke = requests.post(f"{sandbox_url}/google/revoke", data={"token": refresh}, timeout=5)
    assert revoke.status_code == 200
    answer = token(sandbox_url, grant_type="refresh_token", refresh_token=refresh)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_the_deny_switch_answers_access_denied(sandbox_url, google):
    google.deny = True
    query = consent(sandbox_url)
    assert query["error"] == ["access_denied"]
    assert "code" not in query


def test_a_wrong_client_secret_is_invalid_client(sandbox_url, google):
    code = consent(sandbox_url)["code"][0]
    answer = token(sandbox_url, grant_type="authorization_code", code=code,
                   redirect_uri=REDIRECT, code_verifier=VERIFIER, client_secret="nope")  # fmt: skip
    assert answer.status_code == 401
    assert google.token_log == ["authorization_code"]


def test_expired_access_tokens_are_no_longer_accepted(sandbox_url, google):
    tokens = redeem(sandbox_url, consent(sandbox_url)["code"][0]).json()
    google.expire_tokens()
    assert google.access_scopes(tokens["access_token"]) is None
