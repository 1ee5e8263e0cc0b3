"""Google OAuth 2.0 for web server apps, shared by the Google Ads and Search Console packages.

    start = consent_start(scopes=[ADWORDS_SCOPE], state=state, redirect_uri=uri)
    tokens = code_exchange(code=code, redirect_uri=uri, code_verifier=v, provider="google_ads")
    access = token_refresh(refresh_token=tokens.refresh_token, provider="google_ads")

The consent page (GOOGLE_ACCOUNTS_URL + /o/oauth2/v2/auth) is asked for offline access with
prompt=consent, so every connect returns a refresh token, and PKCE S256. The token endpoint
(GOOGLE_OAUTH_URL + /token) takes form bodies with the client credentials in them. Google
refresh tokens do not rotate: a refresh returns only a new access token. A refused refresh
(400 invalid_grant: revoked, expired or the password changed) is an AuthError, which marks
the connection needs_reconnect. Token calls are never retried once they may have landed.
"""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from integrations.http import AuthError, HttpClient, PermanentError, TransientError
from integrations.providers import OAuthStart

ADWORDS_SCOPE = "https://www.googleapis.com/auth/adwords"
WEBMASTERS_READONLY_SCOPE = "https://www.googleapis.com/auth/webmasters.readonly"
CONSENT_PATH = "/o/oauth2/v2/auth"
TOKEN_PATH = "/token"  # noqa: S105 - a path, not a secret
REVOKE_PATH = "/revoke"


class MalformedTokenAnswer(TransientError):
    """The token endpoint answered something that is not a token response."""


@dataclass(frozen=True)
class AccessToken:
    """A short-lived access token and when it stops working."""

    token: str
    expires_at: datetime
    scopes: frozenset[str]


@dataclass(frozen=True)
class GoogleTokens:
    """What a code exchange returns: an access token and the long-lived refresh token."""

    access: AccessToken
    refresh_token: str

    def secret(self) -> dict[str, Any]:
        """Return the credential fields these tokens fill."""
        return {
            "kind": "oauth",
            "refresh_token": self.refresh_token,
            "access_token": self.access.token,
            "access_token_expires_at": self.access.expires_at.timestamp(),
            "scopes": sorted(self.access.scopes),
        }


def pkce_pair() -> tuple[str, str]:
    """Return a fresh PKCE code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def consent_start(*, scopes: list[str], state: str, redirect_uri: str) -> OAuthStart:
    """Return the consent URL (offline, re-consent, PKCE S256) and the verifier to keep."""
    verifier, challenge = pkce_pair()
    query = {
        "client_id": settings.GOOGLE_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": " ".join(scopes),
        "state": state,
        "access_type": "offline",
        "prompt": "consent",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    base = settings.GOOGLE_ACCOUNTS_URL.rstrip("/")
    return OAuthStart(url=f"{base}{CONSENT_PATH}?{urlencode(query)}", code_verifier=verifier)


def code_exchange(
    *, code: str, redirect_uri: str, code_verifier: str, provider: str
) -> GoogleTokens:
    """Trade the callback's code (and the PKCE verifier) for tokens."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    data = _token_call(form, provider)
    refresh = data.get("refresh_token")
    if not isinstance(refresh, str) or not refresh:
        raise PermanentError("Google returned no refresh token", provider=provider)
    return GoogleTokens(access=access_token_parse(data, provider=provider), refresh_token=refresh)


def token_refresh(*, refresh_token: str, provider: str) -> AccessToken:
    """Trade the refresh token for a new access token; a refusal means reconnect."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    try:
        data = _token_call(form, provider)
    except PermanentError as error:
        raise AuthError("Google refused the refresh token", provider=provider) from error
    return access_token_parse(data, provider=provider)


def token_revoke(*, token: str, provider: str) -> None:
    """Ask Google to revoke a token (a refresh token takes its access tokens with it)."""
    client = HttpClient(provider=provider, base_url=settings.GOOGLE_OAUTH_URL)
    client.post_form(REVOKE_PATH, form={"token": token}, idempotent=True)


def _token_call(form: dict[str, str], provider: str) -> dict[str, Any]:
    client = HttpClient(provider=provider, base_url=settings.GOOGLE_OAUTH_URL)
    credentials = {
        "client_id": settings.GOOGLE_CLIENT_ID,
        "client_secret": settings.GOOGLE_CLIENT_SECRET,
    }
    response = client.post_form(TOKEN_PATH, form={**form, **credentials}, idempotent=False)
    try:
        data = response.json()
    except ValueError as exc:
        raise MalformedTokenAnswer("the token answer is not JSON", provider=provider) from exc
    if not isinstance(data, dict):
        raise MalformedTokenAnswer("the token answer is not an object", provider=provider)
    return data


def access_token_parse(data: dict[str, Any], *, provider: str) -> AccessToken:
    """Parse a token response's access token, lifetime (seconds) and granted scopes."""
    token, expires_in, scope = data.get("access_token"), data.get("expires_in"), data.get("scope")
    if not isinstance(token, str) or not token:
        raise MalformedTokenAnswer("no access_token in the token answer", provider=provider)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int):
        raise MalformedTokenAnswer("expires_in is not a whole number", provider=provider)
    scopes = frozenset(scope.split()) if isinstance(scope, str) else frozenset()
    expires_at = datetime.now(UTC) + timedelta(seconds=expires_in)
    return AccessToken(token=token, expires_at=expires_at, scopes=scopes)
