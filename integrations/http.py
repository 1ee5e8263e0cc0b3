"""The one HTTP wrapper every outgoing call goes through when no official SDK makes it.

Always a timeout; bounded retries with exponential backoff and full jitter on 429, 5xx and
connection errors only; Retry-After honoured (up to a cap); one refresh attempt on 401;
every failure raised as a ProviderError that says whether it is permanent or transient.
Log lines carry the provider, method, path (never the query string, which can hold
tokens) and status, never bodies.
"""

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
import urllib3

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "FluxMarketing/1.0 (+https://flux-engineering.example)"


class ProviderError(Exception):
    """A call to an outside platform failed; `permanent` says whether retrying can help."""

    permanent = False

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.status = status
        self.retry_after = retry_after

    def __str__(self) -> str:
        status = f" (HTTP {self.status})" if self.status else ""
        return f"{self.provider}: {self.args[0]}{status}"


class TransientError(ProviderError):
    """Worth retrying later: rate limits, outages, timeouts, truncated or garbled pages."""


class RateLimited(TransientError):
    """The platform asked us to slow down; `retry_after` says for how long, when known."""


class PermanentError(ProviderError):
    """Retrying the same request will not help: bad request, missing resource, no access."""

    permanent = True


class AuthError(PermanentError):
    """The credentials were refused even after a refresh: the connection needs reconnecting."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, backoff and the longest wait we accept in-process."""

    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_retry_after: float = 60.0
    connect_timeout: float = 5.0
    read_timeout: float = 30.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Return a full-jitter delay for the given (1-based) failed attempt."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return rng.uniform(0, ceiling)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Return the seconds a Retry-After header asks for (delta or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def parse_rate_limit_reset(value: str | None, *, now: float | None = None) -> float | None:
    """Return the seconds until an X-RateLimit-Reset Unix time (Shippo sends one), or None."""
    if not value or not value.strip().isdigit():
        return None
    return max(0.0, float(value) - (time.time() if now is None else now))


@dataclass
class HttpClient:
    """Calls one provider's API rooted at `base_url`."""

    provider: str
    base_url: str
    auth_headers: Callable[[], Mapping[str, str]] = dict
    refresh_auth: Callable[[], None] | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    session: requests.Session = field(default_factory=requests.Session)
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def get_json(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:
        """GET a JSON document; malformed JSON is a transient error (a truncated page)."""
        response = self.request("GET", path, params=params)
        return self._json_of(response)

    def post_json(
        self,
        path: str,
        *,
        body: Any,
        idempotent: bool,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """POST a JSON body; only an `idempotent` write is retried after it may have landed."""
        return self.request("POST", path, json_body=body, headers=headers, idempotent=idempotent)

    def post_form(
        self, path: str, *, form: Mapping[str, str], idempotent: bool
    ) -> requests.Response:
        """POST a form-encoded body (OAuth token endpoints); retried only if `idempotent`."""
        return self.request("POST", path, form=form, idempotent=idempotent)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        form: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send one logical request, retrying within the policy, and return a 2xx response."""
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(method, path, params, json_body, headers, form)
            except requests.RequestException as exc:
                error = self._connection_error(exc)
                if not self._may_retry(error, attempt, idempotent or _never_sent(exc)):
                    raise error from exc
                self._wait(error, attempt, method, path)
                continue
            if response.status_code == 401 and self.refresh_auth and not refreshed:
                refreshed = True
                self.refresh_auth()
                continue
            if response.ok:
                return response
            error = self._status_error(response)
            retry_safe = idempotent or response.status_code == 429
            if not self._may_retry(error, attempt, retry_safe):
                raise error
            self._wait(error, attempt, method, path)

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        headers: Mapping[str, str] | None,
        form: Mapping[str, str] | None = None,
    ) -> requests.Response:
        all_headers = {"User-Agent": USER_AGENT, **self.auth_headers(), **(headers or {})}
        return self.session.request(
            method,
            self.url_for(path),
            params=params,
            json=json_body,
            data=form,
            headers=all_headers,
            timeout=(self.policy.connect_timeout, self.policy.read_timeout),
            allow_redirects=False,
        )

    def url_for(self, path: str) -> str:
        """Join the base URL and a path, or pass an absolute URL (a next-page link) through."""
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url.rstrip('/')}/{path.lstrip('/')}"

    def _may_retry(self, error: ProviderError, attempt: int, retry_safe: bool) -> bool:
        if error.permanent or not retry_safe or attempt >= self.policy.max_attempts:
            return False
        # A wait longer than we accept in-process is the caller's to schedule, not ours.
        return error.retry_after is None or error.retry_after <= self.policy.max_retry_after

    def _wait(self, error: ProviderError, attempt: int, method: str, path: str) -> None:
        delay = error.retry_after
        if delay is None:
            delay = self.policy.backoff(attempt, self.rng)
        logger.warning(
            "provider call retrying provider=%s method=%s path=%s status=%s attempt=%d delay=%.2f",
            self.provider,
            method,
            _path_only(path),
            error.status,
            attempt,
            delay,
        )
        self.sleep(delay)

    def _connection_error(self, exc: requests.RequestException) -> ProviderError:
        kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
        return TransientError(kind, provider=self.provider)

    def _status_error(self, response: requests.Response) -> ProviderError:
        status = response.status_code
        message = f"{response.request.method} {_path_only(response.url)} refused"
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is None:
                retry_after = parse_rate_limit_reset(response.headers.get("X-RateLimit-Reset"))
            return RateLimited(
                message, provider=self.provider, status=status, retry_after=retry_after
            )
        if status in RETRYABLE_STATUSES:
            return TransientError(message, provider=self.provider, status=status)
        if status == 401:
            return AuthError(message, provider=self.provider, status=status)
        return PermanentError(message, provider=self.provider, status=status)

    def _json_of(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, ValueError) as exc:
            raise TransientError(
                f"malformed JSON from {_path_only(response.url)}", provider=self.provider
            ) from exc


def _never_sent(exc: requests.RequestException) -> bool:
    """Say whether the request certainly never reached the server (safe to retry any write)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _path_only(url: str) -> str:
    return url.split("?", 1)[0]
