"""Search Console imitated: the searchconsole v1 routes the Google API client calls.

With `client_options={"api_endpoint": f"{sandbox}/search_console/"}` the client sends
GET webmasters/v3/sites and POST webmasters/v3/sites/{siteUrl}/searchAnalytics/query, the
siteUrl percent-encoded in one segment (`sc-domain%3A...`, `https%3A%2F%2F...%2F`); the
property is read from the raw request path so its slashes survive.

Kept faithful where clients trip: `Authorization: Bearer` takes access tokens issued by the
Google OAuth imitation (any webmasters scope) or the published demo token; errors use
Google's JSON error object; query answers have no `rows` key when nothing matches (so paging
ends on a rows-less answer); rowLimit is 1-25,000 and `startRow` pages; dataState=final
leaves out the newest days and dataState=all adds them with fresh, smaller numbers; rows are
sorted by clicks; keys follow the requested dimensions; position is impression-weighted.

Test hooks: `today` (what day it is for the data; `advance(days=)` moves it), `page_cap`
(answer fewer rows than asked, to prove paging on small data), `slow_seconds`, `query_log`
(every query body received) and the faults in `known_faults` for the `sites` and `query`
routes. Over HTTP: POST /_sandbox/search_console/advance {"days": n}.
"""

import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import unquote

from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox.brand.catalog import catalog_build
from sandbox.brand.search import PROPERTIES, DataState, SearchData, SearchRow
from sandbox.platforms.google_oauth import WEBMASTERS_SCOPES, GoogleOAuth
from sandbox.server import Platform, SandboxOptions, json_response

JSON = dict[str, Any]
DEMO_ACCESS_TOKEN = "ya29.sandbox-search-console-demo"  # noqa: S105 - the sandbox's published token
MAX_ROW_LIMIT = 25_000
DEFAULT_ROW_LIMIT = 1_000
DIMENSIONS = ("date", "query", "page", "country", "device")
OPERATORS = ("equals", "notequals", "contains", "notcontains", "includingregex", "excludingregex")
FAULTS = (
    "none",  # answers normally: armed first, it moves the next fault to a later request
    "rate_limited",  # 429 RESOURCE_EXHAUSTED, reason rateLimitExceeded
    "rate_limited_403",  # 403 with reason rateLimitExceeded, as the API also answers
    "server_error",  # 500
    "unavailable",  # 503
    "slow",  # answers after `slow_seconds`, past the client's timeout
    "malformed",  # 200 with a body that is not JSON
    "truncated",  # the connection drops halfway through the body
    "duplicate",  # this page starts one row early: the previous page's last row again
    "expired_token",  # 401, and every access token issued so far stops working
)
_QUERY_PATH = re.compile(r"/webmasters/v3/sites/([^/?]+)/searchAnalytics/query")
_SITE_PATH = re.compile(r"/webmasters/v3/sites/([^/?]+)$")


def google_error(status: int, code: str, message: str, reason: str, domain: str = "global") -> JSON:
    """Return Google's JSON error object."""
    errors = [{"message": message, "domain": domain, "reason": reason}]
    return {"error": {"code": status, "message": message, "errors": errors, "status": code}}


def error_response(
    status: int, code: str, message: str, reason: str, domain: str = "global"
) -> Response:
    """Answer with Google's JSON error object."""
    return json_response(google_error(status, code, message, reason, domain), status)


class SearchConsole(Platform):
    """The Search Console API for the brand's properties."""

    name = "search_console"
    url_map = Map(
        [
            Rule("/webmasters/v3/sites", endpoint="sites", methods=["GET"]),
            Rule(
                "/webmasters/v3/sites/<path:site>/searchAnalytics/query",
                endpoint="query",
                methods=["POST"],
            ),
            Rule("/webmasters/v3/sites/<path:site>", endpoint="site", methods=["GET"]),
        ],
        merge_slashes=False,
        strict_slashes=False,
    )
    known_faults: ClassVar[frozenset[str]] = frozenset(
        f"{route}:{fault}" for route in ("sites", "query") for fault in FAULTS
    )

    def __init__(
        self,
        options: SandboxOptions,
        oauth: GoogleOAuth | None = None,
        *,
        anchor: date | None = None,
        rows_per_day: int | None = None,
    ) -> None:
        super().__init__(options)
        self.oauth = oauth
        self.anchor = anchor or datetime.now(UTC).date()
        self.today = self.anchor
        self.rows_per_day = rows_per_day
        self.page_cap = MAX_ROW_LIMIT
        self.slow_seconds = 2.0
        self.query_log: list[JSON] = []
        self._data: SearchData | None = None
        self._data_lock = threading.Lock()

    @property
    def data(self) -> SearchData:
        """Return the brand's search data, built on first use."""
        with self._data_lock:
            if self._data is None:
                seed, scale = self.options.seed, self.options.scale
                self._data = SearchData(seed=seed, catalog=catalog_build(seed=seed),
                                        anchor=self.anchor, scale=scale,
                                        rows_per_day=self.rows_per_day)  # fmt: skip
            return self._data

    def advance(self, *, days: int) -> None:
        """Move the data's clock on: fresh days turn final, new days turn fresh."""
        self.today += timedelta(days=days)

    def control(self, request: Request, action: str) -> Response:
        """Answer POST /_sandbox/search_console/advance {"days": n}."""
        if action != "advance" or request.method != "POST":
            raise NotFound()
        payload = request.get_json(silent=True) or {}
        self.advance(days=int(payload.get("days", 1)))
        return json_response({"today": self.today.isoformat()})

    # Handlers

    def handle(self, request: Request, mount_url: str) -> Response:
        """Refuse a missing, unknown or expired bearer token before any route sees it."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not self._token_ok(token):
            return error_response(
                401, "UNAUTHENTICATED", "Request had invalid authentication credentials.",
                "authError",
            )  # fmt: skip
        return super().handle(request, mount_url)

    def _token_ok(self, token: str) -> bool:
        if token == DEMO_ACCESS_TOKEN:
            return True
        scopes = self.oauth.access_scopes(token) if self.oauth else None
        return bool(scopes and scopes & set(WEBMASTERS_SCOPES))

    def on_sites(self, request: Request, mount_url: str) -> Response:
        early = self._early_fault("sites")
        if isinstance(early, Response):
            return early
        entries = [{"siteUrl": p.site_url, "permissionLevel": p.permission_level}
                   for p in PROPERTIES]  # fmt: skip
        return _finish({"siteEntry": entries}, early)

    def on_site(self, request: Request, mount_url: str, site: str) -> Response:
        site_url = _raw_site(request, _SITE_PATH) or site
        for entry in PROPERTIES:
            if entry.site_url == site_url:
                return json_response({"siteUrl": site_url,
                                      "permissionLevel": entry.permission_level})  # fmt: skip
        return _no_permission(site_url)

    def on_query(self, request: Request, mount_url: str, site: str) -> Response:
        early = self._early_fault("query")
        if isinstance(early, Response):
            return early
        site_url = _raw_site(request, _QUERY_PATH) or site
        if not _verified(site_url):
            return _no_permission(site_url)
        body = request.get_json(silent=True)
        query = _query_parse(body)
        if isinstance(query, Response):
            return query
        self.query_log.append({"siteUrl": site_url, **query.body})
        return _finish(self._answer(query, early), early)

    # Answers

    def _answer(self, query: "Query", fault: str | None) -> JSON:
        rows = self._matching_rows(query)
        limit = min(query.row_limit, self.page_cap)
        start = (
            query.start_row - 1 if fault == "duplicate" and query.start_row > 0 else query.start_row
        )
        page = rows[start : start + limit]
        answer: JSON = {"responseAggregationType": _aggregation(query)}
        if page:
            answer["rows"] = page
        if query.data_state == "all" and "date" in query.dimensions:
            incomplete = self._first_incomplete(query)
            if incomplete is not None:
                answer["metadata"] = {"firstIncompleteDate": incomplete.isoformat()}
        return answer

    def _matching_rows(self, query: "Query") -> list[JSON]:
        if query.search_type != "web":
            return []
        rows = (row for day, state in self._days(query) for row in self.data.day_rows(day, state))
        kept = (row for row in rows if _passes(row, query.filters))
        return _grouped(kept, query.dimensions)

    def _days(self, query: "Query") -> Iterator[tuple[date, DataState]]:
        day = query.start
        while day <= query.end:
            state = self.data.state_of(day, today=self.today)
            if state == "final" or (state == "fresh" and query.data_state == "all"):
                yield day, state
            day += timedelta(days=1)

    def _first_incomplete(self, query: "Query") -> date | None:
        fresh = [d for d, state in self._days(query) if state == "fresh"]
        return fresh[0] if fresh else None

    # Faults

    def _early_fault(self, route: str) -> Response | str | None:
        """Answer a status fault now; return a body-bending fault for later, or None."""
        fault = self.faults.take(route)
        if fault == "slow":
            time.sleep(self.slow_seconds)
        if fault == "rate_limited":
            return error_response(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric "
                                  "'Search Analytics queries'.", "rateLimitExceeded",
                                  "usageLimits")  # fmt: skip
        if fault == "rate_limited_403":
            return error_response(403, "PERMISSION_DENIED", "User Rate Limit Exceeded.",
                                  "rateLimitExceeded", "usageLimits")  # fmt: skip
        if fault in ("server_error", "unavailable"):
            status = 503 if fault == "unavailable" else 500
            code = "UNAVAILABLE" if fault == "unavailable" else "INTERNAL"
            return error_response(status, code, "Backend Error", "backendError")
        if fault == "expired_token":
            if self.oauth is not None:
                self.oauth.expire_tokens()
            return error_response(401, "UNAUTHENTICATED", "Request had invalid authentication "
                                  "credentials.", "authError")  # fmt: skip
        return fault


class Query:
    """A parsed searchAnalytics.query body."""

    def __init__(self, body: JSON, start: date, end: date) -> None:
        self.body, self.start, self.end = body, start, end
        self.dimensions: tuple[str, ...] = tuple(d.lower() for d in body.get("dimensions") or ())
        self.row_limit = int(body.get("rowLimit", DEFAULT_ROW_LIMIT))
        self.start_row = int(body.get("startRow", 0))
        self.data_state = str(body.get("dataState", "final")).lower()
        self.aggregation = str(body.get("aggregationType", "auto")).lower()
        self.search_type = str(body.get("type") or body.get("searchType") or "web").lower()
        self.filters = _filters(body.get("dimensionFilterGroups") or [])


def _query_parse(body: Any) -> Query | Response:
    """Check a query body the way the API does, or answer 400 INVALID_ARGUMENT."""
    if not isinstance(body, dict):
        return _bad("Request contains an invalid argument.")
    try:
        start, end = date.fromisoformat(body["startDate"]), date.fromisoformat(body["endDate"])
        query = Query(body, start, end)
    except (AttributeError, KeyError, TypeError, ValueError):
        return _bad("startDate, endDate, rowLimit or startRow is missing or malformed.")
    problem = _query_problem(query)
    return _bad(problem) if problem else query


def _query_problem(query: Query) -> str:
    if query.end < query.start:
        return "endDate is before startDate."
    if not set(query.dimensions) <= set(DIMENSIONS):
        return f"Unsupported dimensions: {', '.join(query.dimensions)}."
    if not 1 <= query.row_limit <= MAX_ROW_LIMIT:
        return "rowLimit must be between 1 and 25000."
    if query.start_row < 0:
        return "startRow must be non-negative."
    if query.data_state not in ("final", "all"):
        return f"Unsupported dataState: {query.data_state}."
    if query.aggregation not in ("auto", "byproperty", "bypage"):
        return f"Unsupported aggregationType: {query.aggregation}."
    return ""


Filter = tuple[str, str, str]  # (dimension, operator, expression)


def _filters(groups: Any) -> tuple[Filter, ...]:
    """Read the filters of every group as one AND (the only groupType there is)."""
    found: list[Filter] = []
    for group in groups:
        for item in group.get("filters") or ():
            operator = str(item.get("operator", "equals")).lower()
            if operator not in OPERATORS:
                raise ValueError(operator)
            found.append((str(item["dimension"]).lower(), operator, str(item["expression"])))
    return tuple(found)


def _passes(row: SearchRow, filters: tuple[Filter, ...]) -> bool:
    return all(_match(str(getattr(row, dim)), op, expr) for dim, op, expr in filters)


def _match(value: str, operator: str, expression: str) -> bool:
    tests: dict[str, Callable[[], bool]] = {
        "equals": lambda: value.lower() == expression.lower(),
        "notequals": lambda: value.lower() != expression.lower(),
        "contains": lambda: expression.lower() in value.lower(),
        "notcontains": lambda: expression.lower() not in value.lower(),
        "includingregex": lambda: re.search(expression, value) is not None,
        "excludingregex": lambda: re.search(expression, value) is None,
    }
    return tests[operator]()


def _grouped(rows: Iterable[SearchRow], dimensions: tuple[str, ...]) -> list[JSON]:
    """Sum rows per key (position weighted by impressions), most clicks first."""
    sums: dict[tuple[str, ...], list[float]] = {}
    for row in rows:
        key = tuple(_key(row, d) for d in dimensions)
        total = sums.setdefault(key, [0.0, 0.0, 0.0])
        total[0] += row.clicks
        total[1] += row.impressions
        total[2] += row.position * row.impressions
    ordered = sorted(sums.items(), key=lambda item: -item[1][0])
    return [_row_json(key, *values) for key, values in ordered]


def _key(row: SearchRow, dimension: str) -> str:
    return row.day.isoformat() if dimension == "date" else str(getattr(row, dimension))


def _row_json(keys: tuple[str, ...], clicks: float, impressions: float, weighted: float) -> JSON:
    row: JSON = {"clicks": clicks, "impressions": impressions,
                 "ctr": clicks / impressions if impressions else 0.0,
                 "position": round(weighted / impressions, 4) if impressions else 0.0}  # fmt: skip
    return {"keys": list(keys), **row} if keys else row


def _aggregation(query: Query) -> str:
    if query.aggregation != "auto":
        return "byPage" if query.aggregation == "bypage" else "byProperty"
    return "byPage" if "page" in query.dimensions else "byProperty"


def _verified(site_url: str) -> bool:
    return any(
        p.site_url == site_url and p.permission_level != "siteUnverifiedUser" for p in PROPERTIES
    )


def _raw_site(request: Request, pattern: re.Pattern[str]) -> str | None:
    """Return the property from the raw path, where its encoded slashes are still intact."""
    raw = str(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or "")
    found = pattern.search(raw.split("?", 1)[0])
    return unquote(found.group(1)) if found else None


def _no_permission(site_url: str) -> Response:
    message = f"User does not have sufficient permission for site '{site_url}'."
    return error_response(403, "PERMISSION_DENIED", message, "forbidden")


def _bad(message: str) -> Response:
    return error_response(400, "INVALID_ARGUMENT", message, "invalidParameter")


def _finish(body: JSON, fault: str | None) -> Response:
    """Send `body`, bent by a malformed or truncated fault."""
    text = json.dumps(body)
    if fault == "malformed":
        return Response(text[: len(text) // 2] + "<html>", 200, mimetype="application/json")
    if fault == "truncated":
        data = text.encode()
        response = Response(iter([data[: len(data) // 2]]), mimetype="application/json")
        response.headers["Content-Length"] = str(len(data))
        response.headers["Connection"] = "close"
        return response
    return json_response(body)
