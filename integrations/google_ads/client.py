"""Calls to the Google Ads API through the official client, with typed rows and typed errors.

The GoogleAdsClient is built at call time (gRPC channels must not cross a fork), with
credentials whose token URI is GOOGLE_OAUTH_URL: the library's load_from_dict would refresh
against Google's fixed token URI instead. GOOGLE_ADS_ENDPOINT picks the server and
GOOGLE_ADS_CA_FILE, when set, becomes gRPC's root store for this process (a private CA,
such as the sandbox's; gRPC reads it once, before the first channel).

Errors: a QuotaError (as GoogleAdsException, or as the plain RESOURCE_EXHAUSTED the library
leaves unconverted) is RateLimited; UNAVAILABLE, INTERNAL and deadlines are TransientError;
both are retried here with backoff; an expired token is refreshed once; other
authentication failures are AuthError; the rest PermanentError.
"""

import logging
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import grpc
from django.conf import settings
from google.ads.googleads.client import GoogleAdsClient  # type: ignore[import-untyped]
from google.ads.googleads.errors import GoogleAdsException  # type: ignore[import-untyped]
from google.api_core import exceptions as api_exceptions
from google.api_core import protobuf_helpers
from google.oauth2.credentials import Credentials

from integrations.google_oauth import ADWORDS_SCOPE, AccessToken, token_refresh
from integrations.http import (
    AuthError,
    PermanentError,
    ProviderError,
    RateLimited,
    RetryPolicy,
    TransientError,
)

logger = logging.getLogger(__name__)

PROVIDER = "google_ads"
FAILURE_KEY = "google.ads.googleads.v26.errors.googleadsfailure-bin"
CALL_TIMEOUT_SECONDS = 120.0
REFRESHABLE = frozenset({"OAUTH_TOKEN_EXPIRED", "OAUTH_TOKEN_INVALID"})
T = TypeVar("T")


class MalformedRow(TransientError):
    """A row lacked a field we asked for."""


@dataclass(frozen=True)
class AdsCustomer:
    id: str
    name: str
    currency: str
    time_zone: str


@dataclass(frozen=True)
class CampaignRow:
    id: str
    name: str
    status: str
    channel: str
    budget_id: str
    budget_resource: str
    budget_micros: int


@dataclass(frozen=True)
class MetricRow:
    campaign_id: str
    campaign_name: str
    campaign_status: str
    day: date
    impressions: int
    clicks: int
    cost_micros: int
    conversions: Decimal
    conversions_value_micros: int


@dataclass(frozen=True)
class TermRow:
    campaign_id: str
    day: date
    term: str
    impressions: int
    clicks: int
    cost_micros: int
    conversions: Decimal


def _trust_ca() -> None:
    ca_file = settings.GOOGLE_ADS_CA_FILE
    if ca_file:
        os.environ["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"] = ca_file


def _mask(message: Any) -> Any:
    """Return the update mask naming every field set on `message`."""
    return protobuf_helpers.field_mask(None, message)  # type: ignore[no-untyped-call]


def decimal_of(value: float) -> Decimal:
    """Return a reported double as the Decimal it was written as."""
    return Decimal(repr(value)).quantize(Decimal("0.0001"))


@dataclass
class GoogleAdsApi:
    """One customer's API, authorised by a refresh token."""

    refresh_token: str
    customer_id: str
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    _client: GoogleAdsClient | None = None

    def client(self) -> GoogleAdsClient:
        """Return the SDK client, refreshing the access token on first use."""
        if self._client is None:
            access = token_refresh(refresh_token=self.refresh_token, provider=PROVIDER)
            self._client = self._build(access)
        return self._client

    def _build(self, access: AccessToken) -> GoogleAdsClient:
        _trust_ca()
        credentials = Credentials(  # type: ignore[no-untyped-call]
            token=access.token,
            expiry=access.expires_at.replace(tzinfo=None),
            refresh_token=self.refresh_token,
            token_uri=f"{settings.GOOGLE_OAUTH_URL.rstrip('/')}/token",
            client_id=settings.GOOGLE_CLIENT_ID,
            client_secret=settings.GOOGLE_CLIENT_SECRET,
            scopes=[ADWORDS_SCOPE],
        )
        return GoogleAdsClient(
            credentials=credentials,
            developer_token=settings.GOOGLE_ADS_DEVELOPER_TOKEN,
            login_customer_id=self.customer_id or None,
            endpoint=settings.GOOGLE_ADS_ENDPOINT,
            use_proto_plus=True,
        )

    # Calls with retries

    def call(self, fn: Callable[[GoogleAdsClient], T]) -> T:
        """Run `fn` with the client, retrying transient failures within the policy."""
        attempt, refreshed = 0, False
        while True:
            attempt += 1
            try:
                return fn(self.client())
            except Exception as exc:
                error = error_of(exc)
                if _refreshable(exc) and not refreshed:
                    refreshed, self._client = True, None
                    continue
                if error.permanent or attempt >= self.policy.max_attempts:
                    raise error from exc
                self._wait(error, attempt)

    def _wait(self, error: ProviderError, attempt: int) -> None:
        delay = error.retry_after
        if delay is None or delay > self.policy.max_retry_after:
            delay = self.policy.backoff(attempt, self.rng)
        logger.warning("google ads call retrying attempt=%d delay=%.2f error=%s",
                       attempt, delay, error)  # fmt: skip
        self.sleep(delay)

    def stream(self, query: str, parse: Callable[[Any], T]) -> list[T]:
        """Return every row of a GAQL query, read with SearchStream (all or nothing), parsed.

        Each row is parsed as its batch arrives, so only one batch of the library's heavy
        row messages is alive at a time, however many rows the query returns.
        """

        def read(client: GoogleAdsClient) -> list[T]:
            service = client.get_service("GoogleAdsService")
            batches = service.search_stream(
                customer_id=self.customer_id, query=query, timeout=CALL_TIMEOUT_SECONDS
            )
            return [parse(row) for batch in batches for row in batch.results]

        return self.call(read)

    # Reads

    def accessible_customers(self) -> list[str]:
        """Return the ids of the customers the token reaches directly."""

        def read(client: GoogleAdsClient) -> list[str]:
            service = client.get_service("CustomerService")
            found = service.list_accessible_customers(timeout=CALL_TIMEOUT_SECONDS)
            return [str(name).rpartition("/")[2] for name in found.resource_names]

        return self.call(read)

    def customer(self) -> AdsCustomer:
        """Describe the customer: name, currency and time zone."""
        rows = self.stream(CUSTOMER_QUERY, _customer_parse)
        if not rows:
            raise PermanentError("the customer is not visible", provider=PROVIDER)
        return rows[0]

    def campaigns(self) -> list[CampaignRow]:
        """Return every campaign (removed ones excluded) with its budget."""
        return self.stream(CAMPAIGNS_QUERY, campaign_row_parse)

    def campaign(self, campaign_id: str) -> CampaignRow:
        """Return one campaign with its budget, read now."""
        query = f"{CAMPAIGNS_BASE} WHERE campaign.id = {int(campaign_id)}"
        rows = self.stream(query, campaign_row_parse)
        if not rows:
            raise PermanentError(f"campaign {campaign_id} not found", provider=PROVIDER)
        return rows[0]

    def metrics(self, start: date, end: date) -> list[MetricRow]:
        """Return campaign-days between `start` and `end` inclusive."""
        query = METRICS_QUERY.format(start=start.isoformat(), end=end.isoformat())
        return self.stream(query, metric_row_parse)

    def search_terms(self, start: date, end: date) -> list[TermRow]:
        """Return search-term rows between `start` and `end` inclusive."""
        query = TERMS_QUERY.format(start=start.isoformat(), end=end.isoformat())
        return self.stream(query, term_row_parse)

    # Writes

    def campaign_status_mutate(
        self, *, campaign_id: str, status: str, landed: Callable[[], bool]
    ) -> str:
        """Set a campaign's status; return the mutated resource name."""
        resource = f"customers/{self.customer_id}/campaigns/{campaign_id}"

        def write(client: GoogleAdsClient) -> str:
            op = client.get_type("CampaignOperation")
            op.update.resource_name = resource
            op.update.status = getattr(client.enums.CampaignStatusEnum, status)
            client.copy_from(op.update_mask, _mask(op.update._pb))
            service = client.get_service("CampaignService")
            answer = service.mutate_campaigns(
                customer_id=self.customer_id, operations=[op], timeout=CALL_TIMEOUT_SECONDS
            )
            return str(answer.results[0].resource_name)

        return self._write_once(write, landed=landed, resource=resource)

    def budget_amount_mutate(
        self, *, budget_resource: str, amount_micros: int, landed: Callable[[], bool]
    ) -> str:
        """Set a budget's amount; return the mutated resource name."""

        def write(client: GoogleAdsClient) -> str:
            op = client.get_type("CampaignBudgetOperation")
            op.update.resource_name = budget_resource
            op.update.amount_micros = amount_micros
            client.copy_from(op.update_mask, _mask(op.update._pb))
            service = client.get_service("CampaignBudgetService")
            answer = service.mutate_campaign_budgets(
                customer_id=self.customer_id, operations=[op], timeout=CALL_TIMEOUT_SECONDS
            )
            return str(answer.results[0].resource_name)

        return self._write_once(write, landed=landed, resource=budget_resource)

    def _write_once(
        self, write: Callable[[GoogleAdsClient], str], *, landed: Callable[[], bool], resource: str
    ) -> str:
        """Mutate, retrying transient failures; before a retry, read whether the last landed.

        A deadline or a dropped stream may hide a mutate that went through; reading first
        keeps it to one write per change.
        """
        tries = 0

        def once(client: GoogleAdsClient) -> str:
            nonlocal tries
            tries += 1
            if tries > 1 and landed():
                return resource  # the last try landed; only its answer was lost
            return write(client)

        return self.call(once)


CUSTOMER_QUERY = (
    "SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone "
    "FROM customer"
)
CAMPAIGNS_BASE = (
    "SELECT campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type, "
    "campaign_budget.id, campaign_budget.resource_name, campaign_budget.amount_micros "
    "FROM campaign"
)
CAMPAIGNS_QUERY = f"{CAMPAIGNS_BASE} WHERE campaign.status != 'REMOVED' ORDER BY campaign.id"
METRICS_QUERY = (
    "SELECT campaign.id, campaign.name, campaign.status, segments.date, metrics.impressions, "
    "metrics.clicks, metrics.cost_micros, metrics.conversions, metrics.conversions_value "
    "FROM campaign WHERE segments.date BETWEEN '{start}' AND '{end}' "
    "ORDER BY segments.date, campaign.id"
)
TERMS_QUERY = (
    "SELECT campaign.id, search_term_view.search_term, segments.date, metrics.impressions, "
    "metrics.clicks, metrics.cost_micros, metrics.conversions FROM search_term_view "
    "WHERE segments.date BETWEEN '{start}' AND '{end}'"
)


def _customer_parse(row: Any) -> AdsCustomer:
    c = row.customer
    return AdsCustomer(str(c.id), c.descriptive_name, c.currency_code, c.time_zone)


def campaign_row_parse(row: Any) -> CampaignRow:
    """Parse a campaigns-query row."""
    c, b = row.campaign, row.campaign_budget
    if not c.id or not b.resource_name:
        raise MalformedRow("a campaign row lacks its id or budget", provider=PROVIDER)
    return CampaignRow(str(c.id), c.name, c.status.name, c.advertising_channel_type.name,
                       str(b.id), b.resource_name, int(b.amount_micros))  # fmt: skip


def metric_row_parse(row: Any) -> MetricRow:
    """Parse a metrics-query row (conversion value: currency units as a double -> micros)."""
    c, m = row.campaign, row.metrics
    value_micros = int((decimal_of(m.conversions_value) * 1_000_000).to_integral_value())
    return MetricRow(
        campaign_id=str(c.id),
        campaign_name=c.name,
        campaign_status=c.status.name,
        day=_day(row.segments.date),
        impressions=int(m.impressions),
        clicks=int(m.clicks),
        cost_micros=int(m.cost_micros),
        conversions=decimal_of(m.conversions),
        conversions_value_micros=value_micros,
    )


def term_row_parse(row: Any) -> TermRow:
    """Parse a search-terms row."""
    m = row.metrics
    return TermRow(str(row.campaign.id), _day(row.segments.date),
                   row.search_term_view.search_term, int(m.impressions), int(m.clicks),
                   int(m.cost_micros), decimal_of(m.conversions))  # fmt: skip


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise MalformedRow(f"not a date: {value!r}", provider=PROVIDER) from None


# Errors


def error_of(exc: Exception) -> ProviderError:
    """Map an SDK or gRPC failure to our error types."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, GoogleAdsException):
        return _ads_error(exc.failure, exc.error.code() if exc.error else None)
    status = _status_of(exc)
    failure = _failure_in(exc)
    if failure is not None and status == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return _ads_error(failure, status)
    return _status_error(status, exc)


def _ads_error(failure: Any, status: Any) -> ProviderError:
    for error in failure.errors:
        kind = error.error_code._pb.WhichOneof("error_code")
        if kind == "quota_error":
            delay = error.details.quota_error_details.retry_delay
            seconds = float(delay.seconds) if delay and delay.seconds else None
            return RateLimited(error.message, provider=PROVIDER, retry_after=seconds)
        if kind == "authentication_error":
            return AuthError(error.message, provider=PROVIDER)
        if kind == "internal_error":
            return TransientError(error.message, provider=PROVIDER)
    message = "; ".join(e.message for e in failure.errors) or "request refused"
    return PermanentError(message, provider=PROVIDER)


def _status_of(exc: Exception) -> Any:
    if isinstance(exc, grpc.RpcError) and hasattr(exc, "code"):
        return exc.code()
    cause = exc.__cause__
    if isinstance(cause, grpc.RpcError) and hasattr(cause, "code"):
        return cause.code()
    if isinstance(exc, api_exceptions.GoogleAPICallError):
        return exc.grpc_status_code
    return None


def _failure_in(exc: Exception) -> Any:
    source = exc if isinstance(exc, grpc.RpcError) else exc.__cause__
    trailing = getattr(source, "trailing_metadata", None)
    if not callable(trailing):
        return None
    from google.ads.googleads.v26.errors.types.errors import GoogleAdsFailure

    for key, value in trailing() or ():
        if key == FAILURE_KEY:
            return GoogleAdsFailure.deserialize(value)
    return None


def _status_error(status: Any, exc: Exception) -> ProviderError:
    name = getattr(status, "name", type(exc).__name__)
    message = f"gRPC {name}"
    if status == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return RateLimited(message, provider=PROVIDER)
    if status in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.INTERNAL,
                  grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED):  # fmt: skip
        return TransientError(message, provider=PROVIDER)
    if status == grpc.StatusCode.UNAUTHENTICATED:
        return AuthError(message, provider=PROVIDER)
    if status is None:
        raise exc  # not a platform failure: a bug to surface
    return PermanentError(message, provider=PROVIDER)


def _refreshable(exc: Exception) -> bool:
    if not isinstance(exc, GoogleAdsException):
        return False
    codes = {e.error_code.authentication_error.name for e in exc.failure.errors}
    return bool(codes & REFRESHABLE)
