"""An OpenID Connect provider for staff sign-in: discovery, authorize, token, userinfo, JWKS.

Authorization code flow only, with PKCE S256 required, RS256 id tokens, client
authentication by client_secret_basic or client_secret_post, and codes that are single-use
and expire after a minute. The authorize page lists the sandbox identities; `login_hint`
picks one directly. Faults (one-shot, see `known_faults`) bend the next id token or userinfo
answer so tests can prove the app refuses it.
"""

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from sandbox.server import Platform, SandboxOptions, json_response

CODE_TTL_SECONDS = 60
TOKEN_TTL_SECONDS = 3600
ID_TOKEN_TTL_SECONDS = 300
KEY_ID = "sandbox-oidc-1"
STAFF_DOMAIN = "flux-engineering.example"


@dataclass(frozen=True)
class Identity:
    """A person the sandbox can sign in as."""

    hint: str
    sub: str
    email: str
    email_verified: bool
    name: str

    def claims(self) -> dict[str, Any]:
        """Return the profile claims shared by the id token and userinfo."""
        return {
            "sub": self.sub,
            "email": self.email,
            "email_verified": self.email_verified,
            "name": self.name,
            "preferred_username": self.email.partition("@")[0],
        }


IDENTITIES = (
    Identity("staff", "sbx-staff-0001", f"riley.park@{STAFF_DOMAIN}", True, "Riley Park"),
    Identity("staff2", "sbx-staff-0002", f"morgan.lee@{STAFF_DOMAIN}", True, "Morgan Lee"),
    Identity("foreign", "sbx-ext-0003", "casey.quinn@elsewhere.example", True, "Casey Quinn"),
    Identity(
        "unverified", "sbx-staff-0004", f"jamie.fox@{STAFF_DOMAIN}", False, "Jamie Fox (unverified)"
    ),
)


@dataclass(frozen=True)
class OidcClient:
    """The one relying party the sandbox accepts."""

    client_id: str = "flux-marketing"
    client_secret: str = "sandbox-oidc-secret"  # noqa: S105 - the sandbox's published secret


@dataclass(frozen=True)
class Grant:
    """What an authorization code stands for until it is redeemed."""

    identity: Identity
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    expires_at: float


@dataclass(frozen=True)
class AuthorizeRequest:
    """The parsed query of an authorization request."""

    redirect_uri: str
    state: str
    scope: list[str]
    response_type: str
    code_challenge: str
    code_challenge_method: str
    nonce: str | None
    login_hint: str

    @classmethod
    def parse(cls, request: Request) -> "AuthorizeRequest":
        """Read the query parameters, defaulting absent ones to empty."""
        args = request.args
        return cls(
            redirect_uri=args.get("redirect_uri", ""),
            state=args.get("state", ""),
            scope=args.get("scope", "").split(),
            response_type=args.get("response_type", ""),
            code_challenge=args.get("code_challenge", ""),
            code_challenge_method=args.get("code_challenge_method", ""),
            nonce=args.get("nonce") or None,
            login_hint=args.get("login_hint", ""),
        )

    def problem(self) -> str | None:
        """Name what is wrong with the request, or None when it can proceed."""
        if self.response_type != "code":
            return "unsupported_response_type"
        if "openid" not in self.scope:
            return "invalid_scope"
        if not self.code_challenge or self.code_challenge_method != "S256":
            return "invalid_request"
        return None


def s256(verifier: str) -> str:
    """Return the PKCE S256 challenge for `verifier`."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcProvider(Platform):
    """The sandbox's OpenID Connect provider, mounted at /oidc."""

    name = "oidc"
    url_map = Map(
        [
            Rule("/.well-known/openid-configuration", endpoint="discovery", methods=["GET"]),
            Rule("/authorize", endpoint="authorize", methods=["GET"]),
            Rule("/token", endpoint="token", methods=["POST"]),
            Rule("/userinfo", endpoint="userinfo", methods=["GET", "POST"]),
            Rule("/jwks", endpoint="jwks", methods=["GET"]),
        ]
    )
    known_faults = frozenset(
        {
            "token:wrong_nonce",
            "token:wrong_issuer",
            "token:wrong_audience",
            "token:expired_id_token",
            "userinfo:wrong_subject",
        }
    )

    def __init__(self, options: SandboxOptions, client: OidcClient | None = None) -> None:
        super().__init__(options)
        self.client = client or OidcClient()
        self.identities = {identity.hint: identity for identity in IDENTITIES}
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._grants: dict[str, Grant] = {}
        self._tokens: dict[str, tuple[Identity, float]] = {}
        self._lock = threading.Lock()

    def on_discovery(self, request: Request, issuer: str) -> Response:
        """Publish the provider metadata."""
        return json_response(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/authorize",
                "token_endpoint": f"{issuer}/token",
                "userinfo_endpoint": f"{issuer}/userinfo",
                "jwks_uri": f"{issuer}/jwks",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "profile", "email"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "code_challenge_methods_supported": ["S256"],
                "claims_supported": [
                    "iss",
                    "aud",
                    "sub",
                    "exp",
                    "iat",
                    "nonce",
                    "email",
                    "email_verified",
                    "name",
                    "preferred_username",
                ],
            }
        )

    def on_jwks(self, request: Request, issuer: str) -> Response:
        """Publish the public half of the signing key."""
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        jwk.update({"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        return json_response({"keys": [jwk]})

    def on_authorize(self, request: Request, issuer: str) -> Response:
        """Show the sign-in screen, or issue a code for the identity `login_hint` names."""
        if request.args.get("client_id") != self.client.client_id:
            return Response("Unknown client_id.", status=400, mimetype="text/plain")
        parsed = AuthorizeRequest.parse(request)
        if not parsed.redirect_uri.startswith(("http://", "https://")):
            return Response("Missing or invalid redirect_uri.", status=400, mimetype="text/plain")
        problem = parsed.problem()
        if problem:
            return _redirect_with(parsed, error=problem)
        if request.args.get("deny"):
            return _redirect_with(parsed, error="access_denied")
        identity = self.identities.get(parsed.login_hint)
        if identity is None:
            return _sign_in_page(request, list(self.identities.values()))
        return _redirect_with(parsed, code=self._issue_code(identity, parsed))

    def on_token(self, request: Request, issuer: str) -> Response:
        """Redeem an authorization code for an access token and an id token."""
        if not self._client_authenticated(request):
            return json_response({"error": "invalid_client"}, 401, {"WWW-Authenticate": "Basic"})
        if request.form.get("grant_type") != "authorization_code":
            return json_response({"error": "unsupported_grant_type"}, 400)
        grant = self._redeem(request.form)
        if grant is None:
            return json_response({"error": "invalid_grant"}, 400)
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[access_token] = (grant.identity, time.time() + TOKEN_TTL_SECONDS)
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL_SECONDS,
            "scope": "openid profile email",
            "id_token": self._id_token(grant, issuer),
        }
        return json_response(body, headers={"Pragma": "no-cache"})

    def on_userinfo(self, request: Request, issuer: str) -> Response:
        """Return the profile claims for a bearer access token."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        with self._lock:
            entry = self._tokens.get(token) if scheme.lower() == "bearer" else None
        if entry is None or entry[1] < time.time():
            return json_response({"error": "invalid_token"}, 401, {"WWW-Authenticate": "Bearer"})
        claims = entry[0].claims()
        if self.faults.take("userinfo") == "wrong_subject":
            claims["sub"] = "sbx-someone-else"
        return json_response(claims)

    def _issue_code(self, identity: Identity, parsed: AuthorizeRequest) -> str:
        code = secrets.token_urlsafe(24)
        grant = Grant(
            identity=identity,
            redirect_uri=parsed.redirect_uri,
            code_challenge=parsed.code_challenge,
            nonce=parsed.nonce,
            expires_at=time.time() + CODE_TTL_SECONDS,
        )
        with self._lock:
            self._grants[code] = grant
        return code

    def _redeem(self, form: Any) -> Grant | None:
        """Take the code out of circulation and return its grant if every check passes."""
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)
        if grant is None or grant.expires_at < time.time():
            return None
        if form.get("redirect_uri") != grant.redirect_uri:
            return None
        verifier = form.get("code_verifier", "")
        if not verifier or not hmac.compare_digest(s256(verifier), grant.code_challenge):
            return None
        return grant

    def _client_authenticated(self, request: Request) -> bool:
        if request.authorization and request.authorization.type == "basic":
            client_id = request.authorization.username or ""
            secret = request.authorization.password or ""
        else:
            client_id = request.form.get("client_id", "")
            secret = request.form.get("client_secret", "")
        return hmac.compare_digest(client_id, self.client.client_id) and hmac.compare_digest(
            secret, self.client.client_secret
        )

    def _id_token(self, grant: Grant, issuer: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            **grant.identity.claims(),
            "iss": issuer,
            "aud": self.client.client_id,
            "iat": now,
            "exp": now + ID_TOKEN_TTL_SECONDS,
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        _apply_token_fault(claims, self.faults.take("token"))
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": KEY_ID})


def _apply_token_fault(claims: dict[str, Any], fault: str | None) -> None:
    """Bend the id token claims the way the armed fault says."""
    if fault == "wrong_nonce":
        claims["nonce"] = secrets.token_urlsafe(16)
    elif fault == "wrong_issuer":
        claims["iss"] = "http://issuer.invalid/oidc"
    elif fault == "wrong_audience":
        claims["aud"] = "some-other-client"
    elif fault == "expired_id_token":
        claims["iat"] = claims["iat"] - 2 * ID_TOKEN_TTL_SECONDS
        claims["exp"] = claims["iat"] + 60


def _redirect_with(parsed: AuthorizeRequest, **params: str) -> Response:
    """Send the browser back to the client with `params` and the client's state."""
    query = urlencode({**params, "state": parsed.state} if parsed.state else params)
    separator = "&" if "?" in parsed.redirect_uri else "?"
    return redirect(f"{parsed.redirect_uri}{separator}{query}", code=302)


def _sign_in_page(request: Request, identities: list[Identity]) -> Response:
    """Render the sandbox sign-in screen: one button per identity, and a cancel link."""
    base = {key: value for key, value in request.args.items() if key != "login_hint"}
    buttons = "".join(
        f'<li><a class="button" href="?{escape(urlencode({**base, "login_hint": who.hint}))}">'
        f"Sign in as {escape(who.name)} &lt;{escape(who.email)}&gt;</a></li>"
        for who in identities
    )
    cancel = escape(urlencode({**base, "deny": "1"}))
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        # No icon to fetch: a browser asking for /favicon.ico would log a 404 as an error.
        "<link rel='icon' href='data:,'><title>Sandbox identity provider</title></head><body>"
        "<h1>Sandbox identity provider</h1><p>Choose who to sign in as.</p>"
        f"<ul>{buttons}</ul><p><a href='?{cancel}'>Cancel</a></p></body></html>"
    )
    return Response(page, mimetype="text/html")
