"""Squarespace: the Commerce APIs 1.0 (orders, inventory, site info), OAuth and webhooks.

Serves the shared brand (sandbox/platforms/_brand.py) and keeps the awkward parts of the real
service: a `User-Agent` is required; `Authorization: Bearer` takes an API key or an OAuth
access token; `modifiedAfter`/`modifiedBefore` must come together and never with a `cursor`,
which is opaque and carries the original filter; 50 orders a page, ascending by modifiedOn;
fulfil answers 204; access tokens expire and refresh tokens rotate (a used one is dead);
webhook subscriptions need OAuth and sign each notification with HMAC-SHA256 keyed by the
hex-decoded secret. Errors use Squarespace's error object.

Test hooks, from Python on the platform object or over HTTP as POST /_sandbox/squarespace/<x>:
`edit_orders` {"count"}, `set_stock` {"variantId", "quantity", "isUnlimited"}, `api_keys`
(issue a key), `expire_tokens`, `notification` {"orderId", "topic"} (a signed delivery to
post yourself) and `deliver` (post it to each subscription's endpoint). Faults per route are
listed in `known_faults`; `slow_seconds`, `access_ttl` and `retry_after` keep tests fast.
"""

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import requests
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from sandbox.brand import Brand
from sandbox.brand.index import order_key
from sandbox.platforms._brand import brand_for
from sandbox.server import Platform, SandboxOptions, json_response

DEMO_API_KEY = "sqsp_demo_key"
PAGE_SIZE = 50
CODE_TTL_SECONDS = 60
REFRESH_TTL_SECONDS = 7 * 24 * 3600
STATUSES = frozenset({"PENDING", "FULFILLED", "CANCELED"})
TOPICS = frozenset({"order.create", "order.update"})
LIST_FAULTS = (
    "rate_limited", "rate_limited_bare", "server_error", "unavailable", "slow",
    "malformed", "truncated", "duplicate", "expired_token",
)  # fmt: skip
JSON = dict[str, Any]


@dataclass(frozen=True)
class SquarespaceApp:
    """The one OAuth client the sandbox accepts."""

    client_id: str = "flux-squarespace"
    client_secret: str = "sandbox-squarespace-secret"  # noqa: S105 - the sandbox's published secret


@dataclass(frozen=True)
class Grant:
    """What an authorization code stands for until it is redeemed."""

    redirect_uri: str
    offline: bool
    expires_at: float


@dataclass(frozen=True)
class Subscription:
    """A webhook subscription and its signing secret (hex)."""

    id: str
    endpoint_url: str
    topics: tuple[str, ...]
    secret: str


@dataclass
class OAuthState:
    """Issued codes and tokens; every map is guarded by one lock."""

    codes: dict[str, Grant] = field(default_factory=dict)
    access: dict[str, float] = field(default_factory=dict)
    refresh: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def error_body(kind: str, message: str, subtype: str | None = None) -> JSON:
    """Return Squarespace's error object."""
    return {
        "type": kind,
        "subtype": subtype,
        "message": message,
        "details": None,
        "contextId": secrets.token_hex(8).upper(),
    }


def error_response(status: int, kind: str, message: str, subtype: str | None = None) -> Response:
    """Answer with Squarespace's error object."""
    return json_response(error_body(kind, message, subtype), status)


def signature(secret_hex: str, body: bytes) -> str:
    """Return the Squarespace-Signature of a webhook body: hex HMAC-SHA256, hex-decoded key."""
    return hmac.new(bytes.fromhex(secret_hex), body, hashlib.sha256).hexdigest()


def exact_ms(moment: datetime) -> int:
    """Return epoch milliseconds without float rounding."""
    whole = int(moment.replace(microsecond=0).timestamp())
    return whole * 1000 + moment.microsecond // 1000


def parse_instant(value: str) -> datetime:
    """Parse an ISO-8601 UTC instant; refuse naive ones."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("timezone required")
    return moment.astimezone(UTC)


class Squarespace(Platform):
    """The Squarespace Commerce APIs and login service for one website."""

    name = "squarespace"
    url_map = Map(
        [
            Rule("/1.0/commerce/orders", endpoint="orders", methods=["GET"]),
            Rule("/1.0/commerce/orders/<order_id>", endpoint="order", methods=["GET"]),
            Rule(
                "/1.0/commerce/orders/<order_id>/fulfillments", endpoint="fulfil", methods=["POST"]
            ),
            Rule("/1.0/commerce/inventory", endpoint="inventory", methods=["GET"]),
            Rule("/1.0/authorization/website", endpoint="website", methods=["GET"]),
            Rule("/1.0/webhook_subscriptions", endpoint="subscribe", methods=["POST"]),
            Rule("/api/1/login/oauth/provider/authorize", endpoint="authorize", methods=["GET"]),
            Rule("/api/1/login/oauth/provider/tokens", endpoint="tokens", methods=["POST"]),
        ]
    )
    known_faults = frozenset(
        {f"{route}:{fault}" for route in ("orders", "inventory") for fault in LIST_FAULTS}
        | {f"order:{fault}" for fault in ("rate_limited", "server_error", "expired_token")}
        | {"website:server_error", "tokens:server_error", "authorize:access_denied"}
    )

    def __init__(self, options: SandboxOptions, app: SquarespaceApp | None = None) -> None:
        super().__init__(options)
        self.app = app or SquarespaceApp()
        self.api_keys = {DEMO_API_KEY}
        self.oauth = OAuthState()
        self.subscriptions: dict[str, Subscription] = {}
        self.stock: dict[str, tuple[int, bool]] = {}
        self.access_ttl = 1800.0
        self.slow_seconds = 35.0  # longer than the client's read timeout
        self.retry_after = "60"

    @property
    def brand(self) -> Brand:
        """Return the brand this sandbox serves, built on first use."""
        return brand_for(self.options)

    @property
    def website_id(self) -> str:
        """Return the website's id, fixed by the seed."""
        return hashlib.sha256(f"website:{self.options.seed}".encode()).hexdigest()[:24]

    # Gatekeeping: user agent, faults, credentials

    def _gate(self, request: Request, route: str) -> tuple[Response | None, str | None]:
        """Return an early answer (or None) and the fault left to bend the body with."""
        if not request.headers.get("User-Agent"):
            return error_response(400, "INVALID_REQUEST_ERROR", "A User-Agent is required."), None
        fault = self.faults.take(route)
        early = self._early_fault(fault)
        if early is not None:
            return early, None
        if self._bearer(request) is None:
            return error_response(401, "AUTHORIZATION_ERROR", "Invalid or expired token."), None
        return None, fault

    def _early_fault(self, fault: str | None) -> Response | None:
        """Answer a fault that replaces the whole response; sleep through a slow one."""
        if fault == "slow":
            time.sleep(self.slow_seconds)
        if fault in ("rate_limited", "rate_limited_bare"):
            headers = {"Retry-After": self.retry_after} if fault == "rate_limited" else {}
            body = error_body("RATE_LIMIT_ERROR", "Too many requests.")
            return json_response(body, 429, headers)
        if fault == "server_error":
            return error_response(500, "INTERNAL_ERROR", "Something went wrong.")
        if fault == "unavailable":
            return error_response(503, "SERVICE_UNAVAILABLE", "Try again later.")
        if fault == "expired_token":
            return error_response(401, "AUTHORIZATION_ERROR", "The access token has expired.")
        return None

    def _bearer(self, request: Request) -> str | None:
        """Return the caller's key or live access token, or None."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        if token in self.api_keys:
            return token
        with self.oauth.lock:
            expires = self.oauth.access.get(token, 0.0)
        return token if expires > time.time() else None

    # Orders

    def on_orders(self, request: Request, mount_url: str) -> Response:
        """List orders by modifiedOn, 50 a page, with a cursor that carries the filter."""
        early, fault = self._gate(request, "orders")
        if early is not None:
            return early
        try:
            query = OrderQuery.parse(request.args)
        except QueryError as error:
            return error_response(400, "INVALID_REQUEST_ERROR", str(error), error.subtype)
        result, last_key = self._orders_page(query, fault)
        body = {"result": result, "pagination": _pagination(mount_url, "orders", query, last_key)}
        return _bent(body, fault)

    def _orders_page(self, query: "OrderQuery", fault: str | None) -> tuple[list[JSON], int | None]:
        """Return one page of orders and the key the next page continues after."""
        page = self.brand.orders_page(
            modified_after=query.after,
            modified_before=query.before,
            after=query.key,
            limit=PAGE_SIZE,
            fulfillment_status=query.status,
        )
        orders, next_after = page.orders, page.next_after
        if fault == "duplicate" and orders:
            if next_after is None:
                orders = [*orders, orders[-1]]
            elif len(orders) > 1:
                next_after = _order_key(orders[-2])  # the next page starts with our last order
        return orders, next_after

    def on_order(self, request: Request, mount_url: str, order_id: str) -> Response:
        """Return one order."""
        early, _ = self._gate(request, "order")
        if early is not None:
            return early
        order = self.brand.order(order_id)
        if order is None:
            return error_response(404, "NOT_FOUND", "Order not found.")
        return json_response(order)

    def on_fulfil(self, request: Request, mount_url: str, order_id: str) -> Response:
        """Record a fulfilment (shipments are appended; there is no idempotency key)."""
        early, _ = self._gate(request, "fulfil")
        if early is not None:
            return early
        if self.brand.order(order_id) is None:
            return error_response(404, "NOT_FOUND", "Order not found.")
        shipments = (request.get_json(silent=True) or {}).get("shipments")
        if not isinstance(shipments, list):
            return error_response(400, "INVALID_REQUEST_ERROR", "shipments is required.")
        self.record_write(request, "fulfil")
        return Response(status=204)

    def edit_orders(self, count: int) -> list[str]:
        """Edit `count` orders now (fulfil or refund them); return their ids."""
        return self.brand.edit_orders(count=count, at=datetime.now(UTC))

    # Inventory and site

    def on_inventory(self, request: Request, mount_url: str) -> Response:
        """List inventory, 50 a page."""
        early, fault = self._gate(request, "inventory")
        if early is not None:
            return early
        try:
            start = _decode_offset(request.args.get("cursor"))
        except QueryError as error:
            return error_response(400, "INVALID_REQUEST_ERROR", str(error), error.subtype)
        items = self.inventory()
        chunk = items[start : start + PAGE_SIZE]
        following = start + PAGE_SIZE if start + PAGE_SIZE < len(items) else None
        if fault == "duplicate" and following is not None:
            following -= 1
        return _bent(
            {"inventory": chunk, "pagination": _offset_pagination(mount_url, following)}, fault
        )

    def inventory(self) -> list[JSON]:
        """Return every inventory item, with stock set by tests applied."""
        items = self.brand.inventory()
        for item in items:
            if item["variantId"] in self.stock:
                quantity, unlimited = self.stock[item["variantId"]]
                item.update(quantity=0 if unlimited else quantity, isUnlimited=unlimited)
        return items

    def set_stock(self, variant_id: str, quantity: int, is_unlimited: bool = False) -> None:
        """Change one variant's stock."""
        self.stock[variant_id] = (quantity, is_unlimited)

    def on_website(self, request: Request, mount_url: str) -> Response:
        """Describe the website the credential belongs to."""
        early, _ = self._gate(request, "website")
        if early is not None:
            return early
        return json_response(self.website())

    def website(self) -> JSON:
        """Return the site info."""
        return {
            "id": self.website_id,
            "identifier": "flux-engineering",
            "websiteTitle": "Flux Engineering",
            "language": "en-US",
            "timeZone": "America/Los_Angeles",
            "siteUrl": "https://flux-engineering.example",
            "currency": "USD",
            "measurementStandard": "IMPERIAL",
        }

    # Webhooks

    def on_subscribe(self, request: Request, mount_url: str) -> Response:
        """Create a webhook subscription (OAuth only) and reveal its secret once."""
        early, _ = self._gate(request, "subscribe")
        if early is not None:
            return early
        if self._bearer(request) in self.api_keys:
            return error_response(403, "AUTHORIZATION_ERROR", "Webhooks need an OAuth token.")
        payload = request.get_json(silent=True) or {}
        url, topics = payload.get("endpointUrl"), payload.get("topics")
        if not isinstance(url, str) or not isinstance(topics, list) or not topics:
            return error_response(400, "INVALID_REQUEST_ERROR", "endpointUrl and topics needed.")
        self.record_write(request, "subscribe")
        sub = Subscription(
            secrets.token_hex(12), url, tuple(map(str, topics)), secrets.token_hex(32)
        )
        self.subscriptions[sub.id] = sub
        return json_response(_subscription_json(sub), 201)

    def notification(
        self, order_id: str, topic: str = "order.update", subscription: Subscription | None = None
    ) -> tuple[str, bytes, dict[str, str]]:
        """Return a signed delivery for an order: the endpoint, the raw body and the headers."""
        sub = subscription or next(iter(self.subscriptions.values()))
        body = json.dumps(
            {
                "id": secrets.token_hex(12),
                "websiteId": self.website_id,
                "subscriptionId": sub.id,
                "topic": topic,
                "createdOn": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "data": {"orderId": order_id, "update": "UPDATED"},
            }
        ).encode()
        headers = {
            "User-Agent": "Squarespace/1.0",
            "Content-Type": "application/json",
            "Squarespace-Signature": signature(sub.secret, body),
        }
        return sub.endpoint_url, body, headers

    def deliver(self, order_id: str, topic: str = "order.update") -> list[int]:
        """Post a signed notification to every subscription; return the answers' statuses."""
        statuses = []
        for sub in list(self.subscriptions.values()):
            url, body, headers = self.notification(order_id, topic, sub)
            answer = requests.post(url, data=body, headers=headers, timeout=10)
            statuses.append(answer.status_code)
        return statuses

    # OAuth

    def on_authorize(self, request: Request, mount_url: str) -> Response:
        """Consent at once and send the browser back with a code (or access_denied)."""
        args = request.args
        redirect_uri, state = args.get("redirect_uri", ""), args.get("state", "")
        if args.get("client_id") != self.app.client_id or not redirect_uri:
            return error_response(400, "INVALID_REQUEST_ERROR", "Unknown client or redirect.")
        denied = self.faults.take("authorize") == "access_denied" or "deny" in args
        if denied:
            return _back(redirect_uri, error="access_denied", state=state)
        code = secrets.token_urlsafe(24)
        grant = Grant(
            redirect_uri, args.get("access_type") == "offline", time.time() + CODE_TTL_SECONDS
        )
        with self.oauth.lock:
            self.oauth.codes[code] = grant
        return _back(redirect_uri, code=code, state=state)

    def on_tokens(self, request: Request, mount_url: str) -> Response:
        """Redeem a code or a refresh token (which then dies) for a fresh pair of tokens."""
        if self.faults.take("tokens") == "server_error":
            return error_response(500, "INTERNAL_ERROR", "Something went wrong.")
        if not self._client_authenticated(request):
            return error_response(401, "AUTHORIZATION_ERROR", "Bad client credentials.")
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            return error_response(400, "INVALID_REQUEST_ERROR", "A JSON body is required.")
        offline = self._redeem(payload)
        if offline is None:
            return error_response(400, "INVALID_REQUEST_ERROR", "invalid_grant", "INVALID_GRANT")
        return json_response(self._issue(offline=offline))

    def _client_authenticated(self, request: Request) -> bool:
        auth = request.authorization
        if auth is None or auth.type != "basic":
            return False
        same_id = hmac.compare_digest(auth.username or "", self.app.client_id)
        return same_id and hmac.compare_digest(auth.password or "", self.app.client_secret)

    def _redeem(self, payload: JSON) -> bool | None:
        """Consume the code or refresh token; return whether to issue a refresh token."""
        now = time.time()
        with self.oauth.lock:
            if payload.get("grant_type") == "authorization_code":
                grant = self.oauth.codes.pop(str(payload.get("code")), None)
                fits = (
                    grant
                    and grant.expires_at > now
                    and grant.redirect_uri == payload.get("redirect_uri")
                )
                return grant.offline if grant and fits else None
            if payload.get("grant_type") == "refresh_token":
                expires = self.oauth.refresh.pop(str(payload.get("refresh_token")), 0.0)
                return True if expires > now else None
        return None

    def _issue(self, *, offline: bool) -> JSON:
        now = time.time()
        access, refresh = (
            f"sqsp_at_{secrets.token_urlsafe(24)}",
            f"sqsp_rt_{secrets.token_urlsafe(24)}",
        )
        with self.oauth.lock:
            self.oauth.access[access] = now + self.access_ttl
            if offline:
                self.oauth.refresh[refresh] = now + REFRESH_TTL_SECONDS
        return {
            "token_type": "bearer",
            "access_token": access,
            "access_token_expires_at": now + self.access_ttl,
            "refresh_token": refresh if offline else None,
            "refresh_token_expires_at": now + REFRESH_TTL_SECONDS if offline else None,
        }

    def expire_tokens(self) -> None:
        """Make every access token issued so far expire now."""
        with self.oauth.lock:
            self.oauth.access = dict.fromkeys(self.oauth.access, 0.0)

    def issue_api_key(self) -> str:
        """Create another valid API key."""
        key = f"sqsp_key_{secrets.token_urlsafe(16)}"
        self.api_keys.add(key)
        return key

    # Control over HTTP

    def control(self, request: Request, action: str) -> Response:
        """Answer the platform's test hooks under /_sandbox/squarespace/."""
        if request.method != "POST":
            raise NotFound()
        payload = request.get_json(silent=True) or {}
        if action == "edit_orders":
            return json_response({"edited": self.edit_orders(int(payload.get("count", 1)))})
        if action == "set_stock":
            self.set_stock(str(payload["variantId"]), int(payload.get("quantity", 0)),
                           bool(payload.get("isUnlimited", False)))  # fmt: skip
            return json_response({"ok": True})
        if action == "api_keys":
            return json_response({"apiKey": self.issue_api_key()})
        if action == "expire_tokens":
            self.expire_tokens()
            return json_response({"ok": True})
        return self._webhook_control(action, payload)

    def _webhook_control(self, action: str, payload: JSON) -> Response:
        if not self.subscriptions:
            return json_response({"error": "no_subscription"}, 409)
        order_id, topic = str(payload.get("orderId", "")), str(payload.get("topic", "order.update"))
        if action == "notification":
            url, body, headers = self.notification(order_id, topic)
            return json_response({"endpointUrl": url, "body": body.decode(), "headers": headers})
        if action == "deliver":
            return json_response({"statuses": self.deliver(order_id, topic)})
        raise NotFound()


class QueryError(ValueError):
    """The listing's query breaks the API's rules."""

    def __init__(self, message: str, subtype: str | None = "INVALID_ARGUMENT") -> None:
        super().__init__(message)
        self.subtype = subtype


@dataclass(frozen=True)
class OrderQuery:
    """A listing's filter and where it continues; the cursor carries all of it."""

    after: datetime | None = None
    before: datetime | None = None
    status: str | None = None
    key: int | None = None

    @classmethod
    def parse(cls, args: Any) -> "OrderQuery":
        """Read the query string by the API's rules: a cursor XOR a date range."""
        after, before, cursor = (
            args.get("modifiedAfter"),
            args.get("modifiedBefore"),
            args.get("cursor"),
        )
        if cursor is not None and (after is not None or before is not None):
            raise QueryError("cursor cannot be combined with modifiedAfter/modifiedBefore")
        if cursor is not None:
            return cls.decode(cursor)
        if (after is None) != (before is None):
            raise QueryError(
                "modifiedAfter and modifiedBefore must be given together", "MISSING_ARGUMENT"
            )
        status = args.get("fulfillmentStatus")
        if status is not None and status not in STATUSES:
            raise QueryError("fulfillmentStatus is invalid")
        return cls(_instant_arg(after), _instant_arg(before), status)

    def encode(self, key: int) -> str:
        """Return the opaque cursor continuing this filter after `key`."""
        moments = [m.isoformat() if m else None for m in (self.after, self.before)]
        raw = json.dumps([*moments, self.status, key]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> "OrderQuery":
        """Read a cursor back; anything unreadable is an invalid argument."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            after, before, status, key = json.loads(raw)
            return cls(_instant_arg(after), _instant_arg(before), status, int(key))
        except (ValueError, TypeError) as exc:
            raise QueryError("cursor is invalid") from exc


def _instant_arg(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise QueryError(f"not an ISO-8601 UTC instant: {value[:40]!r}") from exc


def _order_key(order: JSON) -> int:
    """Return the brand's listing key of a rendered order."""
    return order_key(exact_ms(parse_instant(order["modifiedOn"])), int(order["id"][18:], 16))


def _pagination(mount_url: str, route: str, query: OrderQuery, key: int | None) -> JSON:
    if key is None:
        return {"hasNextPage": False, "nextPageCursor": None, "nextPageUrl": None}
    cursor = query.encode(key)
    url = f"{mount_url}/1.0/commerce/{route}?{urlencode({'cursor': cursor})}"
    return {"hasNextPage": True, "nextPageCursor": cursor, "nextPageUrl": url}


def _offset_pagination(mount_url: str, offset: int | None) -> JSON:
    if offset is None:
        return {"hasNextPage": False, "nextPageCursor": None, "nextPageUrl": None}
    cursor = base64.urlsafe_b64encode(f"inv:{offset}".encode()).decode()
    url = f"{mount_url}/1.0/commerce/inventory?{urlencode({'cursor': cursor})}"
    return {"hasNextPage": True, "nextPageCursor": cursor, "nextPageUrl": url}


def _decode_offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        kind, _, offset = base64.urlsafe_b64decode(cursor).decode().partition(":")
        if kind != "inv" or not offset.isdigit():
            raise ValueError(cursor)
        return int(offset)
    except ValueError as exc:
        raise QueryError("cursor is invalid") from exc


def _bent(body: JSON, fault: str | None) -> Response:
    """Answer `body`, garbled or cut short when a fault asks for it."""
    text = json.dumps(body)
    if fault == "malformed":
        text = '{"result": [}, "pagination": <html>Bad gateway</html>'
    elif fault == "truncated":
        text = text[: len(text) // 2]
    response = Response(text, status=200, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _back(redirect_uri: str, **params: str) -> Response:
    joiner = "&" if "?" in redirect_uri else "?"
    return redirect(f"{redirect_uri}{joiner}{urlencode(params)}", code=302)


def _subscription_json(sub: Subscription) -> JSON:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return {
        "id": sub.id,
        "endpointUrl": sub.endpoint_url,
        "topics": list(sub.topics),
        "secret": sub.secret,
        "createdOn": now,
        "updatedOn": now,
    }
