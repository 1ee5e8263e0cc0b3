"""Every call to Search Console, through the official Google API client, parsed and typed.

The service is built at call time, per client (httplib2 is not thread-safe, and nothing
Google-made survives a fork): `build("searchconsole", "v1", static_discovery=True)` with
`client_options={"api_endpoint": SEARCH_CONSOLE_URL}`, over an AuthorizedHttp whose
httplib2.Http has a timeout. google-auth refreshes the access token with the refresh token
(GOOGLE_OAUTH_URL/token) when it has expired or a call answers 401; the new token is then
stored sealed (connection_store_refreshed_secret), so the next run does not refresh again.

Failures become our typed errors: 429 and 403 rate/quota reasons -> RateLimited, 5xx,
timeouts, dropped connections and garbled bodies -> TransientError, 401 after the refresh or
a refused refresh token -> AuthError, any other 4xx -> PermanentError. Transient ones are
retried a few times with jittered backoff before they end the run.
"""

import http.client
import json
import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import google.auth.exceptions
import google.oauth2.credentials
import google_auth_httplib2  # type: ignore[import-untyped]
import httplib2  # type: ignore[import-untyped]
from django.conf import settings
from googleapiclient.discovery import build  # type: ignore[import-untyped]
from googleapiclient.errors import HttpError  # type: ignore[import-untyped]

from integrations.connections import connection_store_refreshed_secret
from integrations.google_oauth import TOKEN_PATH, WEBMASTERS_READONLY_SCOPE
from integrations.http import (
    AuthError,
    PermanentError,
    ProviderError,
    RateLimited,
    RetryPolicy,
    TransientError,
)
from integrations.models import Connection
from integrations.search_console.parse import (
    PROVIDER,
    ROW_DIMENSIONS,
    MalformedAnswer,
    SearchRowRecord,
    SiteRecord,
    rows_parse,
    sites_parse,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

ROW_LIMIT = 25_000  # the most one query answers
RETRY_POLICY = RetryPolicy(max_attempts=4, read_timeout=60.0)
RATE_REASONS = frozenset(
    {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "dailyLimitExceeded"}
)
NETWORK_ERRORS = (httplib2.HttpLib2Error, OSError, http.client.HTTPException)


class SearchConsoleClient:
    """Lists properties and reads search analytics for one Google credential."""

    def __init__(
        self,
        *,
        secret: dict[str, Any],
        connection_id: int | None = None,
        policy: RetryPolicy = RETRY_POLICY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.secret = dict(secret)
        self.connection_id = connection_id
        self.policy = policy
        self.sleep = sleep
        self.rng = random.Random()  # noqa: S311 - backoff jitter, not a secret
        self._credentials: google.oauth2.credentials.Credentials | None = None
        self._service: Any = None

    @classmethod
    def for_connection(cls, connection: Connection, **kwargs: Any) -> "SearchConsoleClient":
        """Build the client of a stored connection."""
        if connection.credential is None:
            raise AuthError("the connection holds no credential", provider=PROVIDER)
        secret = dict(connection.credential.secret.reveal())
        return cls(secret=secret, connection_id=connection.pk, **kwargs)

    def sites(self) -> list[SiteRecord]:
        """List the properties the credential can see."""
        return self._execute(lambda service: service.sites().list(), sites_parse)

    def rows_page(
        self, *, site_url: str, day: date, data_state: str, start_row: int, row_limit: int
    ) -> list[SearchRowRecord]:
        """Read one page of one day's rows by query, page, country and device."""
        body = {
            "startDate": day.isoformat(),
            "endDate": day.isoformat(),
            "dimensions": list(ROW_DIMENSIONS),
            "type": "web",
            "dataState": data_state,
            "rowLimit": row_limit,
            "startRow": start_row,
        }
        return self._execute(
            lambda service: service.searchanalytics().query(siteUrl=site_url, body=body),
            rows_parse,
        )

    # Calls

    def _execute(self, make: Callable[[Any], Any], parse: Callable[[Any], T]) -> T:
        """Run and parse one request, retrying transient failures within the policy."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return parse(self._once(make))
            except ProviderError as error:
                if error.permanent or attempt >= self.policy.max_attempts:
                    raise
                delay = self.policy.backoff(attempt, self.rng)
                logger.warning(
                    "search console call retrying status=%s cause=%s attempt=%d delay=%.2f",
                    error.status, type(error.__cause__).__name__, attempt, delay,
                )  # fmt: skip
                self.sleep(delay)

    def _once(self, make: Callable[[Any], Any]) -> Any:
        service = self._built()
        try:
            return make(service).execute()
        except HttpError as error:
            raise error_of(error) from error
        except google.auth.exceptions.RefreshError as error:
            raise AuthError("Google refused the refresh token", provider=PROVIDER) from error
        except google.auth.exceptions.TransportError as error:
            raise TransientError("the token refresh failed", provider=PROVIDER) from error
        except ValueError as error:  # the JSON body did not parse: a garbled page
            raise MalformedAnswer("the answer is not JSON") from error
        except NETWORK_ERRORS as error:
            raise TransientError(_network_message(error), provider=PROVIDER) from error
        finally:
            self._keep_refreshed_token()

    def _built(self) -> Any:
        if self._service is None:
            self._credentials = credentials_of(self.secret)
            timeout = self.policy.read_timeout
            authorized = google_auth_httplib2.AuthorizedHttp(
                self._credentials, http=httplib2.Http(timeout=timeout)
            )
            self._service = build(
                "searchconsole",
                "v1",
                http=authorized,
                static_discovery=True,
                cache_discovery=False,
                client_options={"api_endpoint": settings.SEARCH_CONSOLE_URL},
            )
        return self._service

    def _keep_refreshed_token(self) -> None:
        """Store the access token google-auth refreshed, once, sealed."""
        credentials = self._credentials
        if credentials is None or not credentials.token:
            return
        if credentials.token == self.secret.get("access_token"):
            return
        expires_at = _aware(credentials.expiry)
        self.secret = {
            **self.secret,
            "kind": "oauth",
            "access_token": credentials.token,
            "access_token_expires_at": expires_at.timestamp() if expires_at else None,
        }
        if self.connection_id is not None:
            connection_store_refreshed_secret(connection_id=self.connection_id, secret=self.secret)
            logger.info("search console token refreshed connection_id=%s", self.connection_id)


def credentials_of(secret: dict[str, Any]) -> google.oauth2.credentials.Credentials:
    """Build google-auth credentials from a sealed secret; an expired token refreshes first."""
    expires = secret.get("access_token_expires_at")
    expiry = (
        datetime.fromtimestamp(float(expires), UTC).replace(tzinfo=None)
        if isinstance(expires, int | float)
        else None
    )  # google-auth compares naive UTC datetimes
    return google.oauth2.credentials.Credentials(  # type: ignore[no-untyped-call]
        token=secret.get("access_token") or None,
        refresh_token=secret.get("refresh_token"),
        token_uri=f"{settings.GOOGLE_OAUTH_URL.rstrip('/')}{TOKEN_PATH}",
        client_id=settings.GOOGLE_CLIENT_ID,
        client_secret=settings.GOOGLE_CLIENT_SECRET,
        scopes=[WEBMASTERS_READONLY_SCOPE],
        expiry=expiry,
    )


def error_of(error: HttpError) -> ProviderError:
    """Map an HttpError to our typed errors by status and Google's error reason."""
    status = int(error.resp.status)
    message = f"Search Console refused the request: {_reason(error) or 'no reason given'}"
    if status == 429 or (status == 403 and _reason(error) in RATE_REASONS):
        return RateLimited(message, provider=PROVIDER, status=status)
    if status >= 500:
        return TransientError(message, provider=PROVIDER, status=status)
    if status == 401:
        return AuthError(message, provider=PROVIDER, status=status)
    return PermanentError(message, provider=PROVIDER, status=status)


def _reason(error: HttpError) -> str:
    """Return the first `errors[].reason` of Google's error body, or ''."""
    try:
        body = json.loads(error.content)
        reason = body["error"]["errors"][0]["reason"]
    except (ValueError, KeyError, IndexError, TypeError):
        return ""
    return reason if isinstance(reason, str) else ""


def _network_message(error: BaseException) -> str:
    return "timed out" if isinstance(error, TimeoutError) else "connection failed"


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)
