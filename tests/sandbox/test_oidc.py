"""The sandbox OpenID Connect provider, spoken to over real loopback HTTP."""

import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from sandbox.platforms.oidc import s256
from sandbox.server import Sandbox

CLIENT = ("flux-marketing", "sandbox-oidc-secret")
REDIRECT = "http://testserver/callback/"
TIMEOUT = 5


def authorize(base: str, verifier: str, **extra: str) -> requests.Response:
    params = {
        "client_id": CLIENT[0],
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "openid email profile",
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
        **extra,
    }
    return requests.get(
        f"{base}/oidc/authorize", params=params, allow_redirects=False, timeout=TIMEOUT
    )


def code_for(base: str, verifier: str, hint: str = "staff") -> str:
    location = authorize(base, verifier, login_hint=hint).headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["st-1"]
    return query["code"][0]


def redeem(base: str, code: str, verifier: str, basic: bool = False) -> requests.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    if basic:
        return requests.post(f"{base}/oidc/token", data=form, auth=CLIENT, timeout=TIMEOUT)
    form.update(client_id=CLIENT[0], client_secret=CLIENT[1])
    return requests.post(f"{base}/oidc/token", data=form, timeout=TIMEOUT)


def verified_claims(base: str, id_token: str) -> dict[str, Any]:
    keys = requests.get(f"{base}/oidc/jwks", timeout=TIMEOUT).json()["keys"]
    key = jwt.PyJWK(keys[0])
    return jwt.decode(
        id_token, key, algorithms=["RS256"], audience=CLIENT[0], issuer=f"{base}/oidc"
    )


def test_discovery_names_every_endpoint_under_the_issuer(sandbox_url):
    config = requests.get(
        f"{sandbox_url}/oidc/.well-known/openid-configuration", timeout=TIMEOUT
    ).json()
    issuer = f"{sandbox_url}/oidc"
    assert config["issuer"] == issuer
    assert config["token_endpoint"] == f"{issuer}/token"
    assert config["jwks_uri"] == f"{issuer}/jwks"
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert set(config["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }


def test_authorize_without_a_hint_shows_a_button_per_identity(sandbox_url):
    page = authorize(sandbox_url, "v" * 43)
    assert page.status_code == 200
    assert page.text.count("login_hint=") == 4
    assert "riley.park@flux-engineering.example" in page.text
    assert "<script" not in page.text
    assert "<link rel='icon' href='data:,'>" in page.text  # no /favicon.ico 404 in the console


@pytest.mark.parametrize("basic", [False, True], ids=["client_secret_post", "client_secret_basic"])
def test_code_redeems_for_a_signed_id_token_with_every_claim(sandbox_url, basic):
    verifier = secrets.token_urlsafe(40)
    tokens = redeem(sandbox_url, code_for(sandbox_url, verifier), verifier, basic=basic).json()
    claims = verified_claims(sandbox_url, tokens["id_token"])
    assert claims["sub"] == "sbx-staff-0001"
    assert claims["nonce"] == "n-1"
    assert claims["email"] == "riley.park@flux-engineering.example"
    assert claims["email_verified"] is True
    assert {"iat", "exp", "name"} <= claims.keys()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    userinfo = requests.get(f"{sandbox_url}/oidc/userinfo", headers=headers, timeout=TIMEOUT).json()
    assert userinfo["sub"] == claims["sub"]


def test_a_code_works_only_once(sandbox_url):
    verifier = secrets.token_urlsafe(40)
    code = code_for(sandbox_url, verifier)
    assert redeem(sandbox_url, code, verifier).status_code == 200
    second = redeem(sandbox_url, code, verifier)
    assert (second.status_code, second.json()["error"]) == (400, "invalid_grant")


def test_a_wrong_pkce_verifier_is_refused(sandbox_url):
    code = code_for(sandbox_url, secrets.token_urlsafe(40))
    assert redeem(sandbox_url, code, secrets.token_urlsafe(40)).json()["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_refused(sandbox_url):
    verifier = secrets.token_urlsafe(40)
    form = {
        "grant_type": "authorization_code",
        "code": code_for(sandbox_url, verifier),
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    answer = requests.post(
        f"{sandbox_url}/oidc/token", data=form, auth=(CLIENT[0], "nope"), timeout=TIMEOUT
    )
    assert answer.status_code == 401


def test_an_expired_code_is_refused(sandbox_url, monkeypatch):
    verifier = secrets.token_urlsafe(40)
    code = code_for(sandbox_url, verifier)
    monkeypatch.setattr("sandbox.platforms.oidc.time.time", lambda: 10**10)
    assert redeem(sandbox_url, code, verifier).json()["error"] == "invalid_grant"


def test_authorize_requires_pkce(sandbox_url):
    params = {
        "client_id": CLIENT[0],
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "openid",
        "state": "s",
        "login_hint": "staff",
    }
    answer = requests.get(
        f"{sandbox_url}/oidc/authorize", params=params, allow_redirects=False, timeout=TIMEOUT
    )
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["error"] == ["invalid_request"]


def test_an_unknown_client_is_refused_without_redirect(sandbox_url):
    answer = authorize(sandbox_url, "v" * 43, client_id="intruder", login_hint="staff")
    assert answer.status_code == 400


def test_an_armed_fault_bends_only_the_next_id_token(sandbox_url):
    armed = requests.post(
        f"{sandbox_url}/_sandbox/oidc/faults",
        json={"route": "token", "fault": "wrong_nonce"},
        timeout=TIMEOUT,
    )
    assert armed.status_code == 200
    nonces = []
    for _ in range(2):
        verifier = secrets.token_urlsafe(40)
        token = redeem(sandbox_url, code_for(sandbox_url, verifier), verifier).json()["id_token"]
        nonces.append(verified_claims(sandbox_url, token)["nonce"])
    assert nonces[0] != "n-1"
    assert nonces[1] == "n-1"


def test_an_unknown_fault_is_refused(sandbox_url):
    answer = requests.post(
        f"{sandbox_url}/_sandbox/oidc/faults",
        json={"route": "token", "fault": "meteor"},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 400


def test_faults_can_be_armed_from_python(sandbox_app: Sandbox, sandbox_url):
    sandbox_app.platforms["oidc"].faults.arm("userinfo", "wrong_subject")
    verifier = secrets.token_urlsafe(40)
    tokens = redeem(sandbox_url, code_for(sandbox_url, verifier), verifier).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    userinfo = requests.get(f"{sandbox_url}/oidc/userinfo", headers=headers, timeout=TIMEOUT).json()
    assert userinfo["sub"] != "sbx-staff-0001"


def test_unknown_paths_answer_404(sandbox_url):
    assert requests.get(f"{sandbox_url}/nowhere/at-all", timeout=TIMEOUT).status_code == 404
    assert requests.get(f"{sandbox_url}/oidc/nowhere", timeout=TIMEOUT).status_code == 404
