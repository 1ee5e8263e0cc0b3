"""Google Ads API v26 over gRPC and TLS: reports (Search, SearchStream), mutates, customers.

The state lives on `GoogleAdsPlatform`, mounted in the HTTP sandbox as /google_ads so the
shared hooks work (/_sandbox/google_ads/faults, /writes, and `as_of`); the gRPC server
(`google_ads_server`) serves it on its own loopback port with a self-signed certificate,
built from generic handlers and the library's own proto-plus request and response classes.

Faithful where clients trip: the developer-token header is required; the bearer token must
be a live Google access token with the adwords scope; login-customer-id, when sent, must be
the customer or its manager; failures travel as a GoogleAdsFailure in trailing metadata;
Search pages hold 10,000 rows with an opaque next_page_token; SearchStream sends batches
of up to 10,000 rows; mutates honour update_mask, validate_only and partial_failure.

Faults per method (one-shot, `faults.arm(method, fault)`): quota (a QuotaError under
RESOURCE_EXHAUSTED, which the library raises as a plain gRPC error), quota_exception (the
same failure under ABORTED, which it raises as GoogleAdsException), quota_raw (a bare
RESOURCE_EXHAUSTED), unavailable, internal, auth_expired, slow, and for SearchStream
truncated (some rows, then the stream breaks).
"""

import hashlib
import json
import threading
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import Any

import grpc
from google.ads.googleads.v26.services.types.customer_service import (
    ListAccessibleCustomersResponse,
)
from google.ads.googleads.v26.services.types.google_ads_service import (
    SearchGoogleAdsResponse,
    SearchGoogleAdsStreamResponse,
)
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from sandbox.brand.google_ads import GoogleAdsBrand
from sandbox.platforms.google_ads_errors import (
    AdsAbort,
    AdsError,
    abort,
    auth_error,
    permission_error,
    query_error,
    quota_error,
)
from sandbox.platforms.google_ads_gaql import Query, QueryError, parse
from sandbox.platforms.google_ads_mutate import budget_operations, campaign_operations
from sandbox.platforms.google_ads_rows import LiveState, Report, to_pb
from sandbox.platforms.google_oauth import ADWORDS_SCOPE, GoogleOAuth
from sandbox.server import Platform, SandboxOptions, Write, json_response

DEMO_DEVELOPER_TOKEN = "sandbox-developer-token"  # noqa: S105 - the sandbox's published token
MANAGER_ID = "9876543210"
PAGE_SIZE = 10_000
METHODS = ("Search", "SearchStream", "MutateCampaigns", "MutateCampaignBudgets",
           "ListAccessibleCustomers")  # fmt: skip
FAULTS = ("quota", "quota_exception", "quota_raw", "unavailable", "internal", "auth_expired",
          "slow")  # fmt: skip

SEARCH_RESPONSE = SearchGoogleAdsResponse.pb()
STREAM_RESPONSE = SearchGoogleAdsStreamResponse.pb()
LIST_CUSTOMERS_RESPONSE = ListAccessibleCustomersResponse.pb()


class GoogleAdsPlatform(Platform):
    """One Google Ads customer (under one manager), its reports and its mutable settings."""

    name = "google_ads"
    url_map = Map([])
    known_faults = frozenset(
        {f"{m}:{f}" for m in METHODS for f in FAULTS} | {"SearchStream:truncated"}
    )

    def __init__(self, options: SandboxOptions, oauth: GoogleOAuth | None = None) -> None:
        super().__init__(options)
        self.oauth = oauth or GoogleOAuth(options)
        anchor = datetime.now(UTC).date()
        self.brand = GoogleAdsBrand(seed=options.seed, scale=options.scale, anchor=anchor)
        self.live = LiveState()
        self.developer_tokens = {DEMO_DEVELOPER_TOKEN}
        self.page_size = PAGE_SIZE
        self.stream_batch_rows = PAGE_SIZE
        self.slow_seconds = 30.0
        self.retry_seconds = 1
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.calls: list[str] = []

    @property
    def customer_id(self) -> str:
        """Return the customer's ten-digit id."""
        return self.brand.customer_id

    @property
    def report(self) -> Report:
        """Return the row builder over the brand and the live settings."""
        return Report(self.brand, self.live)

    def handle(self, request: Request, mount_url: str) -> Response:
        """Serve nothing over HTTP: the API is gRPC (see google_ads_server)."""
        raise NotFound()

    def control(self, request: Request, action: str) -> Response:
        """Move "now" forward: POST /_sandbox/google_ads/as_of {"date": "YYYY-MM-DD"}."""
        if action != "as_of" or request.method != "POST":
            raise NotFound()
        payload = request.get_json(silent=True) or {}
        self.brand.as_of = date.fromisoformat(str(payload["date"]))
        return json_response({"as_of": self.brand.as_of.isoformat()})

    def advance(self, days: int) -> None:
        """Move "now" forward by `days`: late conversions arrive, new days appear."""
        self.brand.as_of += timedelta(days=days)

    # Gate

    def gate(self, context: grpc.ServicerContext, method: str, customer_id: str | None) -> str:
        """Apply an armed fault and check the caller; return a fault left for the body."""
        self.calls.append(method)
        fault = self.faults.take(method) or ""
        try:
            self._early_fault(fault)
            self._check_caller(dict(context.invocation_metadata()), customer_id)
        except AdsAbort as error:
            abort(context, error)
        return fault

    def _early_fault(self, fault: str) -> None:
        if fault == "slow":
            self.stopping.wait(self.slow_seconds)
        if fault == "quota":
            raise quota_error(grpc.StatusCode.RESOURCE_EXHAUSTED, self.retry_seconds)
        if fault == "quota_exception":
            raise quota_error(grpc.StatusCode.ABORTED, self.retry_seconds)
        statuses = {
            "quota_raw": grpc.StatusCode.RESOURCE_EXHAUSTED,
            "unavailable": grpc.StatusCode.UNAVAILABLE,
            "internal": grpc.StatusCode.INTERNAL,
        }
        if fault in statuses:
            raise AdsAbort(statuses[fault])
        if fault == "auth_expired":
            raise auth_error("OAUTH_TOKEN_EXPIRED", "Authentication token expired.")

    def _check_caller(self, metadata: dict[str, Any], customer_id: str | None) -> None:
        if metadata.get("developer-token") not in self.developer_tokens:
            raise auth_error("DEVELOPER_TOKEN_INVALID", "The developer token is not valid.")
        scheme, _, token = str(metadata.get("authorization", "")).partition(" ")
        scopes = self.oauth.access_scopes(token) if scheme == "Bearer" else None
        if scopes is None:
            raise auth_error(
                "OAUTH_TOKEN_INVALID", "Request had invalid authentication credentials."
            )
        if ADWORDS_SCOPE not in scopes:
            raise auth_error("OAUTH_TOKEN_INVALID", "The token lacks the adwords scope.")
        login = metadata.get("login-customer-id")
        if login is not None and login not in (self.customer_id, MANAGER_ID):
            raise permission_error("The caller does not have permission on login-customer-id.")
        if customer_id is not None and customer_id != self.customer_id:
            raise permission_error("The caller does not have permission on this customer.")

    # Reports

    def search(self, request: Any, context: grpc.ServicerContext) -> Any:
        """Answer one page of a GAQL query."""
        self.gate(context, "Search", request.customer_id)
        query = self._query(context, request.query)
        offset = self._offset(context, request.page_token, request.query)
        rows = list(islice(self._pbs(context, query), offset, offset + self.page_size + 1))
        response = SEARCH_RESPONSE()
        response.results.extend(rows[: self.page_size])
        response.field_mask.paths.extend(query.fields)
        if len(rows) > self.page_size:
            response.next_page_token = _page_token(request.query, offset + self.page_size)
        if request.search_settings.return_total_results_count:
            response.total_results_count = sum(1 for _ in self.report.rows(query))
        return response

    def search_stream(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        """Stream every row of a GAQL query in batches; a truncated fault breaks it midway."""
        fault = self.gate(context, "SearchStream", request.customer_id)
        query = self._query(context, request.query)
        batches = self._batches(context, query)
        if fault == "truncated":
            yield from _truncated(context, batches)
            return
        yield from batches

    def _batches(self, context: grpc.ServicerContext, query: Query) -> Iterator[Any]:
        rows = self._pbs(context, query)
        while batch := list(islice(rows, self.stream_batch_rows)):
            response = STREAM_RESPONSE()
            response.results.extend(batch)
            response.field_mask.paths.extend(query.fields)
            response.request_id = hashlib.sha256(str(id(batch)).encode()).hexdigest()[:22]
            yield response

    def _query(self, context: grpc.ServicerContext, text: str) -> Query:
        try:
            return parse(text, today=self.brand.as_of)
        except QueryError as error:
            abort(context, query_error(str(error)))

    def _pbs(self, context: grpc.ServicerContext, query: Query) -> Iterator[Any]:
        try:
            for row in self.report.rows(query):
                yield to_pb(row, query.fields)
        except QueryError as error:
            abort(context, query_error(str(error)))

    def _offset(self, context: grpc.ServicerContext, token: str, text: str) -> int:
        if not token:
            return 0
        try:
            digest, _, offset = urlsafe_b64decode(token.encode()).decode().partition(":")
            if digest == _query_digest(text):
                return int(offset)
        except ValueError:
            pass
        error = AdsError("request_error", "INVALID_PAGE_TOKEN", "Page token is invalid.")
        abort(context, AdsAbort(grpc.StatusCode.INVALID_ARGUMENT, error))

    # Mutates and customers

    def mutate_campaigns(self, request: Any, context: grpc.ServicerContext) -> Any:
        """Change campaign statuses."""
        self.gate(context, "MutateCampaigns", request.customer_id)
        return self._mutate(context, request, "MutateCampaigns", campaign_operations)

    def mutate_campaign_budgets(self, request: Any, context: grpc.ServicerContext) -> Any:
        """Change budget amounts."""
        self.gate(context, "MutateCampaignBudgets", request.customer_id)
        return self._mutate(context, request, "MutateCampaignBudgets", budget_operations)

    def _mutate(self, context: grpc.ServicerContext, request: Any, route: str, apply: Any) -> Any:
        with self.lock:
            try:
                response, applied = apply(self, request)
            except AdsAbort as error:
                abort(context, error)
            if applied and not request.validate_only:
                body = {"customer_id": request.customer_id, "operations": applied,
                        "partial_failure": request.partial_failure}  # fmt: skip
                self.writes.append(Write(route, "gRPC", f"/{route}", json.dumps(body)))
        return response

    def list_accessible_customers(self, request: Any, context: grpc.ServicerContext) -> Any:
        """Name the customers the token may reach directly."""
        self.gate(context, "ListAccessibleCustomers", None)
        return LIST_CUSTOMERS_RESPONSE(resource_names=[f"customers/{self.customer_id}"])


def _truncated(context: grpc.ServicerContext, batches: Iterator[Any]) -> Iterator[Any]:
    """Send part of the rows, then break the stream the way a reset connection does."""
    first = next(batches, None)
    if first is not None:
        kept = STREAM_RESPONSE()
        kept.results.extend(first.results[: max(1, len(first.results) // 2)])
        kept.field_mask.CopyFrom(first.field_mask)
        yield kept
    abort(context, AdsAbort(grpc.StatusCode.INTERNAL))


def _query_digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:16]


def _page_token(text: str, offset: int) -> str:
    return urlsafe_b64encode(f"{_query_digest(text)}:{offset}".encode()).decode()
