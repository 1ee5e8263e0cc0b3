"""Calls to Meta's Graph API through the official facebook-business SDK.

The SDK is built per client, at call time (never at import), on its own session:
`FacebookAdsApi(FacebookSession(app_id, app_secret, token))` rather than
`FacebookAdsApi.init`, which would also set a process-wide default api and crash reporter.
`api._session.GRAPH` is pointed at META_GRAPH_URL (the class default is graph.facebook.com);
with the app secret set the SDK adds `access_token` and `appsecret_proof` to every query.

Edges are paged the way the SDK's Cursor does (same path plus `after`, while `paging.next`
is present), one page at a time, so each page is parsed strictly, committed and counted.
Errors become our typed errors: throttles (4, 17, 32, 613, 80000-80014) RateLimited, 190
AuthError (a Meta user token cannot be refreshed: reconnect), HTTP 5xx and timeouts
TransientError, anything else PermanentError. Every answer's usage headers are read and the
client sleeps in proportion before usage reaches 100%, so the platform rarely throttles.
"""

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import requests
from django.conf import settings
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError
from facebook_business.session import FacebookSession

from integrations.http import AuthError, PermanentError, ProviderError, RateLimited, TransientError
from integrations.meta import parse
from integrations.meta.parse import PROVIDER, MalformedResponse
from integrations.models import Connection

logger = logging.getLogger(__name__)

API_VERSION = "v26.0"
TIMEOUT_SECONDS = 60.0
MAX_ATTEMPTS = 4
PACE_FROM = 75.0  # usage percent from which calls slow down
PACE_WINDOW = 300.0  # Meta's usage decays over five minutes
THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
PAGE_SIZE = 500
REPORT_POLL_SECONDS = 2.0
REPORT_MAX_POLLS = 300
INSIGHT_FIELDS = [
    "campaign_id", "campaign_name", "impressions", "clicks", "spend", "actions",
    "action_values", "attribution_setting",
]  # fmt: skip
CAMPAIGN_FIELDS = (
    "id,name,status,effective_status,objective,daily_budget,lifetime_budget,start_time,created_time"
)
ADSET_FIELDS = "id,name,campaign_id,status,effective_status,daily_budget,targeting"

Sleep = Callable[[float], None]
CampaignCheck = Callable[[parse.CampaignInfo], bool]


def pause(seconds: float) -> None:
    """Wait; the one place the client sleeps (backoff, pacing, report polling)."""
    time.sleep(seconds)


def error_from(exc: FacebookRequestError) -> ProviderError:
    """Map an SDK error to our typed error; the message carries Meta's code, never a token."""
    code, status = exc.api_error_code(), exc.http_status()
    message = f"Graph error {code}/{exc.api_error_subcode()}: {exc.api_error_message()}"
    if code in THROTTLE_CODES:
        wait = _regain_seconds(exc.http_headers() or {})
        return RateLimited(message, provider=PROVIDER, status=status, retry_after=wait)
    if code == 190:
        return AuthError(message, provider=PROVIDER, status=status)
    if status is not None and status >= 500:
        return TransientError(message, provider=PROVIDER, status=status)
    return PermanentError(message, provider=PROVIDER, status=status)


def usage_percent(headers: Mapping[str, str]) -> float:
    """Return the highest usage percent any of Meta's usage headers reports."""
    found = [0.0]
    for name in ("X-Business-Use-Case-Usage", "X-App-Usage", "X-Ad-Account-Usage"):
        for entry in _usage_entries(headers.get(name)):
            for key in ("call_count", "total_cputime", "total_time", "acc_id_util_pct"):
                value = entry.get(key)
                if isinstance(value, int | float):
                    found.append(float(value))
    return max(found)


def _usage_entries(value: str | None) -> list[Mapping[str, Any]]:
    """Flatten a usage header (an object, or an object of lists of objects)."""
    try:
        parsed = json.loads(value) if value else {}
    except json.JSONDecodeError:
        return []
    if not isinstance(parsed, dict):
        return []
    nested = [e for v in parsed.values() if isinstance(v, list) for e in v if isinstance(e, dict)]
    return [parsed, *nested]


def _regain_seconds(headers: Mapping[str, str]) -> float | None:
    minutes = [
        float(e["estimated_time_to_regain_access"])
        for e in _usage_entries(headers.get("X-Business-Use-Case-Usage"))
        if isinstance(e.get("estimated_time_to_regain_access"), int | float)
    ]
    return max(minutes) * 60 if minutes and max(minutes) > 0 else None


@dataclass
class MetaClient:
    """One token's view of the Graph API."""

    access_token: str
    sleep: Sleep | None = None  # None: pause(), looked up at call time so tests can swap it
    api_version: str = API_VERSION
    _api: FacebookAdsApi | None = field(default=None, repr=False)

    def _sleep(self, seconds: float) -> None:
        (self.sleep or pause)(seconds)

    @property
    def api(self) -> FacebookAdsApi:
        """Return the SDK api, built on first use in this process."""
        if self._api is None:
            session = FacebookSession(
                settings.META_APP_ID or None,
                settings.META_APP_SECRET or None,
                self.access_token,
                timeout=TIMEOUT_SECONDS,
            )
            self._api = FacebookAdsApi(session, api_version=self.api_version)
            self._api._session.GRAPH = settings.META_GRAPH_URL.rstrip("/")
        return self._api

    # The one way out

    def get(self, path: tuple[str, ...], params: Mapping[str, Any] | None = None) -> Any:
        """GET a node or edge, retrying transient failures, and return its parsed JSON."""
        return self._retrying(lambda: self._once("GET", path, params or {}))

    def post(self, path: tuple[str, ...], params: Mapping[str, Any], *, retry: bool) -> Any:
        """POST to a node or edge; only an absolute (idempotent) write is retried."""
        if retry:
            return self._retrying(lambda: self._once("POST", path, params))
        return self._once("POST", path, params)

    def _once(self, method: str, path: tuple[str, ...], params: Mapping[str, Any]) -> Any:
        try:
            response = self.api.call(method, path, params=dict(params))
        except FacebookRequestError as exc:
            raise error_from(exc) from None
        except requests.RequestException as exc:
            kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
            raise TransientError(kind, provider=PROVIDER) from None
        self._pace(response.headers() or {})
        try:
            return json.loads(response.body())
        except (TypeError, ValueError):
            raise MalformedResponse("answer is not valid JSON", provider=PROVIDER) from None

    def _retrying(self, call: Callable[[], Any]) -> Any:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return call()
            except TransientError as error:
                if attempt == MAX_ATTEMPTS:
                    raise
                wait = error.retry_after if error.retry_after is not None else 2.0**attempt
                logger.warning(
                    "meta call retrying attempt=%d delay=%.1f error=%s", attempt, wait, error
                )
                self._sleep(wait)
        raise AssertionError("unreachable")

    def _pace(self, headers: Mapping[str, str]) -> None:
        """Sleep in proportion to usage above PACE_FROM, a full window at 100%."""
        used = usage_percent(headers)
        if used >= PACE_FROM:
            share = min(1.0, (used - PACE_FROM) / (100.0 - PACE_FROM))
            logger.info("meta usage high percent=%.0f pausing=%.0fs", used, share * PACE_WINDOW)
            self._sleep(share * PACE_WINDOW)

    def pages(
        self, path: tuple[str, ...], params: Mapping[str, Any]
    ) -> Iterator[list[Mapping[str, Any]]]:
        """Yield an edge's pages the way the SDK's Cursor walks them."""
        query = dict(params)
        while True:
            body = self.get(path, query)
            yield list(parse.data_list(body))
            paging = body.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not after or "next" not in paging:
                return
            query["after"] = after

    # Ads

    def ad_accounts(self) -> list[parse.AdAccountInfo]:
        """Return the ad accounts the token reaches."""
        fields = {"fields": "id,name,currency,timezone_name", "limit": 100}
        return [
            parse.ad_account(raw) for p in self.pages(("me", "adaccounts"), fields) for raw in p
        ]

    def ad_account(self, act_id: str) -> parse.AdAccountInfo:
        """Return one ad account (currency, time zone)."""
        return parse.ad_account(self.get((act_id,), {"fields": "id,name,currency,timezone_name"}))

    def campaign_pages(self, act_id: str) -> Iterator[list[parse.CampaignInfo]]:
        """Yield the account's campaigns, a page at a time."""
        params = {"fields": CAMPAIGN_FIELDS, "limit": PAGE_SIZE}
        for page in self.pages((act_id, "campaigns"), params):
            yield [parse.campaign(raw) for raw in page]

    def ad_set_pages(self, act_id: str) -> Iterator[list[parse.AdSetInfo]]:
        """Yield the account's ad sets with targeting, a page at a time."""
        params = {"fields": ADSET_FIELDS, "limit": PAGE_SIZE}
        for page in self.pages((act_id, "adsets"), params):
            yield [parse.ad_set(raw) for raw in page]

    def campaign(self, campaign_id: str) -> parse.CampaignInfo:
        """Read one campaign as it stands now."""
        return parse.campaign(self.get((campaign_id,), {"fields": CAMPAIGN_FIELDS}))

    def campaign_update(
        self, campaign_id: str, changes: Mapping[str, str], *, landed: CampaignCheck
    ) -> None:
        """Set absolute values on a campaign, retrying transient failures, never writing twice.

        A timeout, a dropped connection or a garbled answer may hide a write that went
        through, so each retry first reads the campaign and stops if `landed` says it did.
        """
        tries = 0

        def write() -> Any:
            nonlocal tries
            tries += 1
            if tries > 1 and landed(self.campaign(campaign_id)):
                return {"success": True}  # the last try landed; only its answer was lost
            return self._once("POST", (campaign_id,), changes)

        body = self._retrying(write)
        if not isinstance(body, dict) or body.get("success") is not True:
            raise PermanentError("campaign update not confirmed", provider=PROVIDER)

    def insight_pages(
        self, act_id: str, since: date, until: date
    ) -> Iterator[list[parse.InsightDay]]:
        """Yield daily campaign insights for a short range with synchronous reads."""
        for page in self.pages((act_id, "insights"), _insights_params(since, until)):
            yield [parse.insight_day(raw) for raw in page]

    def report_pages(
        self, act_id: str, since: date, until: date
    ) -> Iterator[list[parse.InsightDay]]:
        """Yield daily campaign insights for a long range through an async report run."""
        params = {**_insights_params(since, until), "fields": INSIGHT_FIELDS}
        params.pop("limit")
        body = self.post((act_id, "insights"), params, retry=True)  # a spare job is harmless
        if not isinstance(body, dict) or "report_run_id" not in body:
            raise MalformedResponse("no report_run_id", provider=PROVIDER)
        run_id = str(body["report_run_id"])
        self._await_report(run_id)
        for page in self.pages((run_id, "insights"), {"limit": PAGE_SIZE}):
            yield [parse.insight_day(raw) for raw in page]

    def _await_report(self, run_id: str) -> None:
        fields = {"fields": "async_status,async_percent_completion"}
        for _ in range(REPORT_MAX_POLLS):
            status = str(self.get((run_id,), fields).get("async_status"))
            if status == "Job Completed":
                return
            if status in ("Job Failed", "Job Skipped"):
                raise TransientError(f"report run {status.lower()}", provider=PROVIDER)
            self._sleep(REPORT_POLL_SECONDS)
        raise TransientError("report run did not finish in time", provider=PROVIDER)

    # Pages and Instagram

    def pages_of_user(self) -> list[parse.PageInfo]:
        """Return the Pages the user manages, each with its Page access token."""
        params = {"fields": "id,name,access_token", "limit": 100}
        return [parse.page(raw) for p in self.pages(("me", "accounts"), params) for raw in p]

    def instagram_account(self, page_id: str) -> str | None:
        """Return the Instagram business account linked to a Page, if any."""
        body = self.get((page_id,), {"fields": "instagram_business_account"})
        linked = body.get("instagram_business_account") if isinstance(body, dict) else None
        return str(linked["id"]) if isinstance(linked, dict) and "id" in linked else None

    def post_pages(self, page_id: str, since: int | None) -> Iterator[list[Mapping[str, Any]]]:
        """Yield a Page's posts, newest first, published since a Unix time."""
        params: dict[str, Any] = {
            "fields": "id,message,created_time,permalink_url,status_type,shares,"
            "comments.limit(0).summary(true)",
            "limit": 100,
        }
        if since is not None:
            params["since"] = since
        yield from self.pages((page_id, "posts"), params)

    def media_pages(self, ig_user_id: str, since: int | None) -> Iterator[list[Mapping[str, Any]]]:
        """Yield an Instagram account's media, newest first."""
        params: dict[str, Any] = {
            "fields": "id,caption,media_type,media_product_type,permalink,timestamp,"
            "like_count,comments_count",
            "limit": 100,
        }
        if since is not None:
            params["since"] = since
        yield from self.pages((ig_user_id, "media"), params)

    def insights_of(self, object_id: str, metrics: list[str]) -> dict[str, int]:
        """Return an object's lifetime insights."""
        body = self.get((object_id, "insights"), {"metric": ",".join(metrics)})
        return parse.insight_values(body)


def _insights_params(since: date, until: date) -> dict[str, Any]:
    return {
        "level": "campaign",
        "time_increment": 1,
        "time_range": {"since": since.isoformat(), "until": until.isoformat()},
        "fields": ",".join(INSIGHT_FIELDS),
        "action_attribution_windows": ["7d_click", "1d_view"],
        "limit": PAGE_SIZE,
    }


def client_for(
    connection: Connection, *, sleep: Sleep | None = None, page: bool = False
) -> MetaClient:
    """Return a client for a connection's sealed token (its Page token when `page`)."""
    if connection.credential is None:
        raise AuthError("the connection has no credential", provider=PROVIDER)
    secret = dict(connection.credential.secret.reveal())
    token = secret.get("page_access_token") if page else None
    return MetaClient(str(token or secret["access_token"]), sleep=sleep)
