"""Connect a Squarespace site by OAuth: the consent URL, the code exchange and the refresh.

Squarespace authenticates the client with HTTP Basic and takes JSON bodies. With
access_type=offline it returns a refresh token that ROTATES: each refresh answers a new one
and the old one stops working, so the caller must store both new tokens together
(connection_store_refreshed_secret). Token calls are never retried after they may have
landed: a retried refresh would present a token that already died.
"""

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from integrations.http import AuthError, HttpClient, PermanentError
from integrations.squarespace.parse import MalformedPage, obj, opt_text, text

SCOPES = ("website.orders.read", "website.inventory.read")
AUTHORIZE_PATH = "/api/1/login/oauth/provider/authorize"
TOKENS_PATH = "/api/1/login/oauth/provider/tokens"


@dataclass(frozen=True)
class TokenSet:
    """A fresh access token and, offline, the refresh token that replaces the last one."""

    access_token: str
    access_expires_at: datetime
    refresh_token: str

    def secret(self) -> dict[str, Any]:
        """Return the credential fields these tokens fill."""
        return {
            "kind": "oauth",
            "access_token": self.access_token,
            "access_token_expires_at": self.access_expires_at.timestamp(),
            "refresh_token": self.refresh_token,
        }


def authorize_url(*, state: str, redirect_uri: str) -> str:
    """Return the consent page URL, asking for read access and a refresh token."""
    query = {
        "client_id": settings.SQUARESPACE_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "scope": ",".join(SCOPES),
        "state": state,
        "access_type": "offline",
    }
    return f"{settings.SQUARESPACE_OAUTH_URL.rstrip('/')}{AUTHORIZE_PATH}?{urlencode(query)}"


def code_exchange(*, code: str, redirect_uri: str) -> TokenSet:
    """Trade the callback's code for tokens."""
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    return _tokens(body)


def token_refresh(*, refresh_token: str) -> TokenSet:
    """Trade the refresh token (which dies) for new tokens; a refusal means reconnect."""
    try:
        return _tokens({"grant_type": "refresh_token", "refresh_token": refresh_token})
    except PermanentError as error:
        raise AuthError("the refresh token was refused", provider="squarespace") from error


def _tokens(body: dict[str, str]) -> TokenSet:
    client = HttpClient(
        provider="squarespace", base_url=settings.SQUARESPACE_OAUTH_URL, auth_headers=_basic
    )
    response = client.post_json(TOKENS_PATH, body=body, idempotent=False)
    try:
        data = response.json()
    except ValueError as exc:
        raise MalformedPage("the token answer is not JSON") from exc
    return token_set_parse(data)


def _basic() -> dict[str, str]:
    pair = f"{settings.SQUARESPACE_CLIENT_ID}:{settings.SQUARESPACE_CLIENT_SECRET}"
    return {"Authorization": f"Basic {base64.b64encode(pair.encode()).decode()}"}


def token_set_parse(data: Any) -> TokenSet:
    """Parse the token endpoint's answer (timestamps in Unix seconds)."""
    document = obj({"tokens": data}, "tokens")
    expires = document.get("access_token_expires_at")
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        raise MalformedPage("access_token_expires_at is not a Unix timestamp")
    refresh = opt_text(document, "refresh_token", limit=2000, cut=False)
    if not refresh:
        raise MalformedPage("no refresh_token: the grant was not offline")
    return TokenSet(
        access_token=text(document, "access_token", limit=2000),
        access_expires_at=datetime.fromtimestamp(float(expires), UTC),
        refresh_token=refresh,
    )
