"""Shippo imitated: shipments, transactions (labels), orders and tracks of the shared brand.

Shaped like the real API where clients depend on it: `Authorization: ShippoToken <token>`
with `shippo_test_`/`shippo_live_` tokens (401 `{"detail": "Invalid token."}` otherwise),
lists newest first as `{"next": <absolute url>|null, "previous": ..., "results": [...]}`
driven by `page` and `results` (at most 100), `object_created_gte` on shipments and
transactions and `start_date` on orders, transactions that always carry `created_by`.

Test hooks besides the shared faults and writes: `tracking_update` moves a label's parcel to
a new tracking status (seen by tracks, transaction listings and webhook bodies), and
`track_updated_body` builds the `track_updated` webhook Shippo would send for a label.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlencode

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox.brand import Brand, ShippoPage
from sandbox.platforms._brand import brand_for
from sandbox.server import Platform, SandboxOptions, json_response

JSON = dict[str, Any]
MAX_RESULTS = 100
DEFAULT_RESULTS = 25
TOKEN_PREFIXES = ("shippo_test_", "shippo_live_")
TRACKING_STATUSES = ("PRE_TRANSIT", "TRANSIT", "DELIVERED", "RETURNED", "FAILURE", "UNKNOWN")
LIST_ROUTES = ("shipments", "transactions", "orders")
ONE_ROUTES = ("shipment", "transaction", "order", "track", "track_register")
FAULTS = (
    "none",  # answers normally: armed first, it moves the next fault to a later request
    "rate_limited",  # 429 with Retry-After
    "rate_limited_reset",  # 429 with only X-RateLimit-Reset, as some integrators report
    "server_error",  # 500
    "unavailable",  # 503
    "slow",  # answers after `slow_seconds`, past the client's read timeout
    "malformed",  # 200 with a body that is not JSON
    "truncated",  # the connection drops halfway through the body
    "duplicate",  # from this page on, the listing shifts down one, as after an insert at the top
    "expired_token",  # 401 once, as if the token had been revoked
)


@dataclass(frozen=True)
class TrackingUpdate:
    """A tracking status a test moved a label to, and when the carrier reported it."""

    status: str
    at: datetime


class ShippoPlatform(Platform):
    """The Shippo API at its own root paths, serving the brand's labels."""

    name = "shippo"
    url_map = Map(
        [
            Rule("/shipments/", endpoint="shipments", methods=["GET"]),
            Rule("/shipments/<object_id>", endpoint="shipment", methods=["GET"]),
            Rule("/transactions/", endpoint="transactions", methods=["GET"]),
            Rule("/transactions/<object_id>", endpoint="transaction", methods=["GET"]),
            Rule("/orders/", endpoint="orders", methods=["GET"]),
            Rule("/orders/<object_id>", endpoint="order", methods=["GET"]),
            Rule("/tracks/", endpoint="track_register", methods=["POST"]),
            Rule("/tracks/<carrier>/<tracking_number>", endpoint="track", methods=["GET"]),
        ]
    )
    known_faults: ClassVar[frozenset[str]] = frozenset(
        f"{route}:{fault}" for route in (*LIST_ROUTES, *ONE_ROUTES) for fault in FAULTS
    )

    def __init__(self, options: SandboxOptions) -> None:
        super().__init__(options)
        self.slow_seconds = 2.0
        self._brand: Brand | None = None
        self._brand_lock = threading.Lock()
        self._tracking: dict[tuple[str, str], TrackingUpdate] = {}
        self._shifted: set[str] = set()  # listings an emulated insert has pushed down

    @property
    def brand(self) -> Brand:
        """Return the shared brand, built on first use so idle sandboxes start fast."""
        with self._brand_lock:
            if self._brand is None:
                self._brand = brand_for(self.options)
            return self._brand

    # Test hooks

    def tracking_update(
        self, *, carrier: str, tracking_number: str, status: str, at: datetime
    ) -> None:
        """Move a label's parcel to `status` at `at`, as the carrier would report it."""
        if status not in TRACKING_STATUSES:
            raise ValueError(f"unknown tracking status {status!r}")
        self._tracking[(carrier, tracking_number)] = TrackingUpdate(status, at)

    def track_updated_body(self, *, carrier: str, tracking_number: str, test: bool = False) -> JSON:
        """Return the `track_updated` webhook body Shippo sends for a label."""
        track = self._track(carrier, tracking_number)
        if track is None:
            raise LookupError("no such label")
        return {"event": "track_updated", "test": test, "data": track}

    # Handlers

    def handle(self, request: Request, mount_url: str) -> Response:
        """Refuse a missing or malformed token before any route sees the request."""
        if not _token_ok(request.headers.get("Authorization", "")):
            return json_response({"detail": "Invalid token."}, 401)
        return super().handle(request, mount_url)

    def on_shipments(self, request: Request, mount_url: str) -> Response:
        return self._listing(request, mount_url, "shipments", "object_created_gte")

    def on_transactions(self, request: Request, mount_url: str) -> Response:
        return self._listing(request, mount_url, "transactions", "object_created_gte")

    def on_orders(self, request: Request, mount_url: str) -> Response:
        return self._listing(request, mount_url, "orders", "start_date")

    def on_shipment(self, request: Request, mount_url: str, object_id: str) -> Response:
        return self._one(request, "shipment", lambda: self.brand.shipment(object_id))

    def on_transaction(self, request: Request, mount_url: str, object_id: str) -> Response:
        return self._one(request, "transaction", lambda: self._transaction(object_id))

    def on_order(self, request: Request, mount_url: str, object_id: str) -> Response:
        return self._one(request, "order", lambda: self.brand.shippo_order(object_id))

    def on_track(
        self, request: Request, mount_url: str, carrier: str, tracking_number: str
    ) -> Response:
        return self._one(request, "track", lambda: self._track(carrier, tracking_number))

    def on_track_register(self, request: Request, mount_url: str) -> Response:
        fault = self._take_fault("track_register")
        early = _early_fault(fault)
        if early is not None:
            return early
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or _register_problems(body):
            return json_response(_register_problems(body), 400)
        self.record_write(request, "track_register")
        carrier, number = body["carrier"], body["tracking_number"]
        track = self._track(carrier, number) or _unknown_track(carrier, number)
        registered = {**track, "metadata": body.get("metadata") or track["metadata"]}
        return _finish(registered, fault, status=201)

    # Listings

    def _listing(self, request: Request, mount_url: str, route: str, since_param: str) -> Response:
        fault = self._take_fault(route)
        early = _early_fault(fault)
        if early is not None:
            return early
        query = _list_query(request, since_param)
        if isinstance(query, Response):
            return query
        page, results, since = query
        shift = self._shift(route, page, fault)
        found = self._fetch(route, page, results, since, shift)
        if page > 1 and not found.results:
            return json_response({"detail": "Invalid page."}, 404)
        return _finish(_paged(request, mount_url, route, page, results, found), fault)

    def _fetch(
        self, route: str, page: int, results: int, since: datetime | None, shift: int
    ) -> ShippoPage:
        """Return one page of `route`, its window moved back by `shift` records."""
        fetch = self._fetchers()[route]
        if not shift:
            return fetch(page, results, since)
        # Pages of one record make any window expressible: fetch record by record.
        start = (page - 1) * results + 1 - shift
        picked = [fetch(start + n, 1, since) for n in range(results)]
        count = picked[0].count + shift if picked else 0
        return ShippoPage([r for p in picked for r in p.results], count)

    def _shift(self, route: str, page: int, fault: str | None) -> int:
        """Return how far a listing has shifted: a duplicate fault shifts it until page 1."""
        if page == 1:
            self._shifted.discard(route)
        elif fault == "duplicate":
            self._shifted.add(route)
        return 1 if route in self._shifted else 0

    def _fetchers(self) -> dict[str, Callable[[int, int, datetime | None], ShippoPage]]:
        brand = self.brand
        return {
            "shipments": lambda p, r, s: brand.shipments_page(page=p, results=r, created_gte=s),
            "transactions": lambda p, r, s: self._transactions_page(p, r, s),
            "orders": lambda p, r, s: brand.shippo_orders_page(page=p, results=r, start_date=s),
        }

    def _transactions_page(self, page: int, results: int, since: datetime | None) -> ShippoPage:
        found = self.brand.transactions_page(page=page, results=results, created_gte=since)
        return ShippoPage([self._tracked(tx) for tx in found.results], found.count)

    # Single objects

    def _one(self, request: Request, route: str, find: Callable[[], JSON | None]) -> Response:
        fault = self._take_fault(route)
        early = _early_fault(fault)
        if early is not None:
            return early
        found = find()
        if found is None:
            return json_response({"detail": "Not found."}, 404)
        return _finish(found, fault)

    def _transaction(self, object_id: str) -> JSON | None:
        found = self.brand.transaction(object_id)
        return None if found is None else self._tracked(found)

    def _tracked(self, tx: JSON) -> JSON:
        """Apply any tracking update a test made to a transaction."""
        carrier = _carrier_token(tx["rate"]["provider"])
        update = self._tracking.get((carrier, tx["tracking_number"]))
        if update is None:
            return tx
        return {**tx, "tracking_status": update.status, "object_updated": _iso(update.at)}

    def _track(self, carrier: str, tracking_number: str) -> JSON | None:
        track = self.brand.track(carrier, tracking_number)
        update = self._tracking.get((carrier, tracking_number))
        if track is None or update is None:
            return track
        event = {**track["tracking_status"], "status": update.status}
        event.update(status_date=_iso(update.at), object_updated=_iso(update.at))
        return {
            **track,
            "tracking_status": event,
            "tracking_history": [*track["tracking_history"], event],
        }

    # Faults

    def _take_fault(self, route: str) -> str | None:
        """Return the fault armed for `route`, having served a slow one's delay."""
        fault = self.faults.take(route)
        if fault == "slow":
            time.sleep(self.slow_seconds)
        return fault


def _token_ok(header: str) -> bool:
    scheme, _, token = header.partition(" ")
    return scheme == "ShippoToken" and token.startswith(TOKEN_PREFIXES) and len(token) > 12


def _early_fault(fault: str | None) -> Response | None:
    """Answer a status fault without reading anything; None when the fault bends the body."""
    if fault in (None, "none", "slow", "duplicate", "malformed", "truncated"):
        return None
    if fault == "rate_limited":
        return json_response({"detail": "Request was throttled."}, 429, {"Retry-After": "1"})
    if fault == "rate_limited_reset":
        reset = str(int(time.time()) + 1)
        return json_response(
            {"detail": "Request was throttled."}, 429, {"X-RateLimit-Reset": reset}
        )
    if fault == "expired_token":
        return json_response({"detail": "Invalid token."}, 401)
    status = 503 if fault == "unavailable" else 500
    return json_response({"detail": "Internal server error."}, status)


def _finish(body: JSON, fault: str | None, status: int = 200) -> Response:
    """Send `body`, bent by a malformed or truncated fault."""
    text = json.dumps(body)
    if fault == "malformed":
        return Response(text[: len(text) // 2] + "<html>", status, mimetype="application/json")
    if fault == "truncated":
        return _truncated(text)
    return json_response(body, status)


def _truncated(text: str) -> Response:
    """Promise the whole body, send half, and close: the client sees the connection drop."""
    data = text.encode()
    response = Response(iter([data[: len(data) // 2]]), mimetype="application/json")
    response.headers["Content-Length"] = str(len(data))
    response.headers["Connection"] = "close"
    return response


def _list_query(request: Request, since_param: str) -> tuple[int, int, datetime | None] | Response:
    """Read page, results and the created-since filter, or answer 400 the DRF way."""
    errors: dict[str, list[str]] = {}
    page = _positive_int(request.args.get("page", "1"), "page", errors)
    results = _positive_int(request.args.get("results", str(DEFAULT_RESULTS)), "results", errors)
    since = _moment(request.args.get(since_param), since_param, errors)
    if errors:
        return json_response(errors, 400)
    return page, min(results, MAX_RESULTS), since


def _positive_int(text: str, name: str, errors: dict[str, list[str]]) -> int:
    if text.isdigit() and int(text) > 0:
        return int(text)
    errors[name] = ["A valid integer is required."]
    return 1


def _moment(text: str | None, name: str, errors: dict[str, list[str]]) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        errors[name] = ["Enter a valid date/time."]
        return None
    return moment


def _paged(
    request: Request, mount_url: str, route: str, page: int, results: int, found: ShippoPage
) -> JSON:
    """Wrap a page the Shippo way: absolute next and previous links, then the results."""
    last = max(1, -(-found.count // results))

    def link(number: int) -> str:
        query = {**request.args.to_dict(), "page": str(number), "results": str(results)}
        return f"{mount_url}/{route}/?{urlencode(query)}"

    return {
        "next": link(page + 1) if page < last else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": found.results,
    }


def _register_problems(body: Any) -> dict[str, list[str]]:
    if not isinstance(body, dict):
        return {"non_field_errors": ["Invalid data. Expected a dictionary."]}
    required = ("carrier", "tracking_number")
    return {
        name: ["This field is required."]
        for name in required
        if not isinstance(body.get(name), str) or not body.get(name)
    }


def _unknown_track(carrier: str, number: str) -> JSON:
    """Return the Track Shippo answers for a number no carrier has seen yet."""
    return {
        "carrier": carrier, "tracking_number": number, "metadata": None, "transaction": None,
        "eta": None, "original_eta": None, "servicelevel": {"name": None, "token": None},
        "address_from": None, "address_to": None, "tracking_status": None,
        "tracking_history": [], "messages": [],
    }  # fmt: skip


def _carrier_token(provider: str) -> str:
    """Return the carrier token tracks use for a rate's provider name ("FedEx" -> "fedex")."""
    return provider.lower().replace(" ", "_")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
