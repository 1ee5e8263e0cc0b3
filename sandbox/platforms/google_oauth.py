"""Google's OAuth 2.0 for web server apps: the consent page, the token endpoint and revocation.

Mounted at /google, so one prefix stands in for both hosts the app is configured with:
GOOGLE_ACCOUNTS_URL (accounts.google.com: /o/oauth2/v2/auth, and the older /o/oauth2/auth)
and GOOGLE_OAUTH_URL (oauth2.googleapis.com: POST /token, POST /revoke). The client library's
old default token URI /o/oauth2/token is answered too.

Kept faithful where apps trip: the token endpoint takes form bodies (JSON is accepted as
well), client credentials in the body or by HTTP Basic; PKCE is checked (S256 or plain) when
the consent request carried a challenge; a refresh token is issued only for
access_type=offline, and again on a later consent only with prompt=consent; refresh tokens
do not rotate; a revoked or expired one answers 400 invalid_grant; codes are single-use and
expire after a minute.

Other sandbox platforms (Google Ads, Search Console) check bearer tokens with
`access_scopes(token)`. Test hooks, from Python or as POST /_sandbox/google/<action>:
`refresh_tokens` {"scopes": [...]} issues a refresh token directly (what a developer would
copy from a playground for `manage.py connect`), `expire_tokens` ends every access token and
`revoke_all` every grant; `deny = True` (or a `deny` query argument, or the
"authorize:access_denied" fault) makes the consent page answer access_denied.
`token_log` lists every token request's grant type, so tests can prove none was made.
"""

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from sandbox.server import Platform, SandboxOptions, json_response

CODE_TTL_SECONDS = 60
ACCESS_TTL_SECONDS = 3599
ADWORDS_SCOPE = "https://www.googleapis.com/auth/adwords"
WEBMASTERS_SCOPES = (
    "https://www.googleapis.com/auth/webmasters.readonly",
    "https://www.googleapis.com/auth/webmasters",
)
ALL_SCOPES = (ADWORDS_SCOPE, *WEBMASTERS_SCOPES)
DEMO_REFRESH_TOKEN = "1//sandbox-google-demo-refresh"  # noqa: S105 - the sandbox's published token


@dataclass(frozen=True)
class GoogleApp:
    """The one OAuth client (a web application) the sandbox accepts."""

    client_id: str = "flux-sandbox.apps.googleusercontent.com"
    client_secret: str = "sandbox-google-secret"  # noqa: S105 - the sandbox's published secret


@dataclass(frozen=True)
class Consent:
    """What an authorization code stands for until it is redeemed."""

    redirect_uri: str
    scopes: frozenset[str]
    offline: bool
    challenge: str
    challenge_method: str
    prompt_consent: bool
    expires_at: float


@dataclass
class Grants:
    """Codes, access tokens (-> scopes, expiry) and refresh tokens (-> scopes), under one lock."""

    codes: dict[str, Consent] = field(default_factory=dict)
    access: dict[str, tuple[frozenset[str], float, str]] = field(default_factory=dict)
    refresh: dict[str, frozenset[str]] = field(default_factory=dict)
    consented: set[frozenset[str]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    """Answer with Google's OAuth error object."""
    return json_response({"error": error, "error_description": description}, status)


def pkce_matches(consent: Consent, verifier: str) -> bool:
    """Say whether the code verifier answers the consent's challenge."""
    if not consent.challenge:
        return not verifier
    if consent.challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        derived = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    else:
        derived = verifier
    return bool(verifier) and hmac.compare_digest(derived, consent.challenge)


class GoogleOAuth(Platform):
    """Google's authorization server for one OAuth client."""

    name = "google"
    url_map = Map(
        [
            Rule("/o/oauth2/v2/auth", endpoint="authorize", methods=["GET"]),
            Rule("/o/oauth2/auth", endpoint="authorize", methods=["GET"]),
            Rule("/token", endpoint="token", methods=["POST"]),
            Rule("/o/oauth2/token", endpoint="token", methods=["POST"]),
            Rule("/revoke", endpoint="revoke", methods=["POST"]),
        ]
    )
    known_faults = frozenset(
        {"authorize:access_denied", "token:server_error", "token:invalid_grant"}
    )

    def __init__(self, options: SandboxOptions, app: GoogleApp | None = None) -> None:
        super().__init__(options)
        self.app = app or GoogleApp()
        self.grants = Grants()
        self.grants.refresh[DEMO_REFRESH_TOKEN] = frozenset(ALL_SCOPES)
        self.deny = False
        self.access_ttl = float(ACCESS_TTL_SECONDS)
        self.token_log: list[str] = []

    # Consent

    def on_authorize(self, request: Request, mount_url: str) -> Response:
        """Consent at once and send the browser back with a code (or access_denied)."""
        args = request.args
        redirect_uri, state = args.get("redirect_uri", ""), args.get("state", "")
        problem = self._consent_problem(args)
        if problem:
            return oauth_error("invalid_request", problem)
        denied = self.deny or "deny" in args or self.faults.take("authorize") == "access_denied"
        if denied:
            return _back(redirect_uri, error="access_denied", state=state)
        code = f"4/{secrets.token_urlsafe(30)}"
        with self.grants.lock:
            self.grants.codes[code] = _consent(args)
        scope = " ".join(sorted(_scopes(args.get("scope", ""))))
        return _back(redirect_uri, code=code, scope=scope, state=state)

    def _consent_problem(self, args: "MultiDict[str, str]") -> str:
        """Return why the consent request is malformed, or ''."""
        if args.get("client_id") != self.app.client_id:
            return "The OAuth client was not found."
        if not args.get("redirect_uri"):
            return "Missing required parameter: redirect_uri"
        if args.get("response_type") != "code":
            return "Invalid response_type: only code is supported here"
        if not _scopes(args.get("scope", "")):
            return "Missing required parameter: scope"
        method = args.get("code_challenge_method", "plain")
        if args.get("code_challenge") and method not in ("S256", "plain"):
            return "Invalid code_challenge_method"
        return ""

    # Tokens

    def on_token(self, request: Request, mount_url: str) -> Response:
        """Redeem a code or a refresh token for an access token."""
        form = _form(request)
        self.token_log.append(form.get("grant_type", ""))
        fault = self.faults.take("token")
        if fault == "server_error":
            return oauth_error("internal_failure", "Backend Error", 500)
        if not self._client_ok(request, form):
            return oauth_error("invalid_client", "Unauthorized", 401)
        if fault == "invalid_grant":
            return oauth_error("invalid_grant", "Token has been expired or revoked.")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._redeem_code(form)
        if grant_type == "refresh_token":
            return self._redeem_refresh(form)
        return oauth_error("unsupported_grant_type", "Invalid grant_type: " + str(grant_type))

    def _client_ok(self, request: Request, form: "MultiDict[str, str]") -> bool:
        auth = request.authorization
        if auth is not None and auth.type == "basic":
            client_id, secret = auth.username or "", auth.password or ""
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        same_id = hmac.compare_digest(client_id, self.app.client_id)
        return same_id and hmac.compare_digest(secret, self.app.client_secret)

    def _redeem_code(self, form: "MultiDict[str, str]") -> Response:
        with self.grants.lock:
            consent = self.grants.codes.pop(form.get("code", ""), None)
        if consent is None or consent.expires_at < time.time():
            return oauth_error("invalid_grant", "Malformed auth code.")
        if consent.redirect_uri != form.get("redirect_uri"):
            return oauth_error("redirect_uri_mismatch", "Bad Request")
        if not pkce_matches(consent, form.get("code_verifier", "")):
            return oauth_error("invalid_grant", "Invalid code verifier.")
        return json_response(self._issue(consent))

    def _issue(self, consent: Consent) -> dict[str, Any]:
        with self.grants.lock:
            first = consent.scopes not in self.grants.consented
            self.grants.consented.add(consent.scopes)
        body = self._access(consent.scopes, origin="")
        # Google sends a refresh token on the first offline consent, later only with prompt=consent.
        if consent.offline and (first or consent.prompt_consent):
            refresh = f"1//{secrets.token_urlsafe(40)}"
            with self.grants.lock:
                self.grants.refresh[refresh] = consent.scopes
            body["refresh_token"] = refresh
            body["refresh_token_expires_in"] = 604799
        return body

    def _access(self, scopes: frozenset[str], *, origin: str) -> dict[str, Any]:
        token = f"ya29.{secrets.token_urlsafe(48)}"
        with self.grants.lock:
            self.grants.access[token] = (scopes, time.time() + self.access_ttl, origin)
        return {
            "access_token": token,
            "expires_in": int(self.access_ttl),
            "scope": " ".join(sorted(scopes)),
            "token_type": "Bearer",
        }

    def _redeem_refresh(self, form: "MultiDict[str, str]") -> Response:
        refresh = form.get("refresh_token", "")
        with self.grants.lock:
            scopes = self.grants.refresh.get(refresh)
        if scopes is None:
            return oauth_error("invalid_grant", "Token has been expired or revoked.")
        return json_response(self._access(scopes, origin=refresh))

    # Revocation

    def on_revoke(self, request: Request, mount_url: str) -> Response:
        """Revoke a refresh token (and what it issued) or one access token."""
        token = _form(request).get("token") or request.args.get("token", "")
        self.record_write(request, "revoke")
        with self.grants.lock:
            known = token in self.grants.refresh or token in self.grants.access
            self._drop(token)
        if not known:
            return oauth_error("invalid_token", "Token expired or revoked")
        return json_response({})

    def _drop(self, token: str) -> None:
        """Forget a token and every access token a refresh token issued (lock held)."""
        self.grants.refresh.pop(token, None)
        self.grants.access.pop(token, None)
        for access, (_, _, origin) in list(self.grants.access.items()):
            if origin == token:
                del self.grants.access[access]

    # What other platforms and tests use

    def access_scopes(self, token: str) -> frozenset[str] | None:
        """Return the scopes of a live access token, or None if it is unknown or expired."""
        with self.grants.lock:
            found = self.grants.access.get(token)
        if found is None or found[1] < time.time():
            return None
        return found[0]

    def issue_refresh_token(self, scopes: tuple[str, ...] = ALL_SCOPES) -> str:
        """Create a refresh token directly, as if consent had been given elsewhere."""
        token = f"1//{secrets.token_urlsafe(40)}"
        with self.grants.lock:
            self.grants.refresh[token] = frozenset(scopes)
        return token

    def expire_tokens(self) -> None:
        """Make every access token issued so far expire now."""
        with self.grants.lock:
            self.grants.access = {k: (s, 0.0, o) for k, (s, _, o) in self.grants.access.items()}

    def revoke_all(self) -> None:
        """Revoke every refresh and access token (the user removed the app's access)."""
        with self.grants.lock:
            self.grants.refresh.clear()
            self.grants.access.clear()

    def control(self, request: Request, action: str) -> Response:
        """Answer the platform's test hooks under /_sandbox/google/."""
        if request.method != "POST":
            raise NotFound()
        payload = request.get_json(silent=True) or {}
        if action == "refresh_tokens":
            scopes = tuple(payload.get("scopes") or ALL_SCOPES)
            return json_response({"refresh_token": self.issue_refresh_token(scopes)})
        if action == "expire_tokens":
            self.expire_tokens()
        elif action == "revoke_all":
            self.revoke_all()
        else:
            raise NotFound()
        return json_response({"ok": True})


def _scopes(value: str) -> frozenset[str]:
    return frozenset(part for part in value.split() if part)


def _consent(args: "MultiDict[str, str]") -> Consent:
    challenge = args.get("code_challenge", "")
    return Consent(
        redirect_uri=args.get("redirect_uri", ""),
        scopes=_scopes(args.get("scope", "")),
        offline=args.get("access_type") == "offline",
        challenge=challenge,
        challenge_method=args.get("code_challenge_method", "plain") if challenge else "",
        prompt_consent="consent" in args.get("prompt", "").split(),
        expires_at=time.time() + CODE_TTL_SECONDS,
    )


def _form(request: Request) -> "MultiDict[str, str]":
    """Read a token request's parameters from a form body, or a JSON one."""
    if request.mimetype == "application/json":
        payload = request.get_json(silent=True) or {}
        return MultiDict({str(k): str(v) for k, v in payload.items()})
    return request.form


def _back(redirect_uri: str, **params: str) -> Response:
    separator = "&" if "?" in redirect_uri else "?"
    return redirect(f"{redirect_uri}{separator}{urlencode(params)}", code=302)
