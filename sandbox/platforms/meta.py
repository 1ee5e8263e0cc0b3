"""Meta: the Graph API (Marketing API, Facebook Pages, Instagram) and Facebook Login.

Serves sandbox/brand/meta.py under `/{version}/...` for any `vNN.N` (the SDK's default
v26.0 included), tolerating the SDK's trailing slash on node paths. Keeps the awkward parts of
the real service: every number is a string; budgets are strings of minor units; `fields` and
list parameters come as CSV or as a JSON array; the token rides in the query string (or an
`Authorization: Bearer` header) with an `appsecret_proof` that is checked when present;
edges page with `paging.cursors.after` and drop `paging.next` on the last page; errors are
`{"error": {message, type, code, error_subcode, fbtrace_id}}`, throttles included, as HTTP
400; every answer carries X-App-Usage, X-Ad-Account-Usage and X-Business-Use-Case-Usage,
rising with the calls made in the last five minutes until the platform throttles.

Test hooks on the platform object: `brand.advance(timedelta)` moves "now" (late conversions
arrive), `clock` (seconds; tests may replace it), `call_limit`, `deny_consent`,
`expire_token(token)`, `slow_seconds`, `token_log` (every token request seen) and `writes`.
Faults per route are listed in `known_faults`.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from sandbox.brand.brand import anchor_moment
from sandbox.brand.meta import MetaAccount, MetaBrand, MetaCampaign, SocialItem
from sandbox.server import Platform, SandboxOptions, Write, json_response

JSON = dict[str, Any]
SYSTEM_USER_TOKEN = "meta_system_user_demo"  # noqa: S105 - the sandbox's published token
SHORT_TTL = 2 * 3600
LONG_TTL = 60 * 86_400
USAGE_WINDOW = 300.0
PUBLISH_LIMIT = 50
SCOPES = (
    "ads_read", "ads_management", "business_management", "pages_show_list",
    "pages_read_engagement", "pages_manage_posts", "instagram_basic",
    "instagram_content_publish", "instagram_manage_insights",
)  # fmt: skip
THROTTLES = {
    "throttle_4": (4, None, "Application request limit reached"),
    "throttle_17": (17, 2446079, "User request limit reached"),
    "throttle_80004": (80004, 2446079, "There have been too many calls to this ad-account."),
    "throttle_613": (613, 1487742, "Calls to this api have exceeded the rate limit."),
}
LIST_FAULTS = (
    *THROTTLES, "server_error", "unavailable", "slow", "malformed", "truncated", "duplicate",
    "expired_token",
)  # fmt: skip
LIST_ROUTES = ("insights", "campaigns", "adsets", "posts", "media", "adaccounts", "pages")
ONE_ROUTES = (
    "account", "campaign", "campaign_update", "report_create", "report_run", "post_insights",
    "media_insights", "container_create", "media_publish", "feed", "debug_token",
    "access_token", "comment",
)  # fmt: skip
ONE_FAULTS = (*THROTTLES, "server_error", "unavailable", "slow", "expired_token")
POST_METRICS = ("post_impressions", "post_impressions_unique", "post_clicks",
                "post_reactions_like_total")  # fmt: skip
IG_METRICS = ("reach", "likes", "comments", "saved", "shares", "views", "total_interactions")


@dataclass(frozen=True)
class MetaApp:
    """The one Meta app the sandbox knows."""

    app_id: str = "1405925561102717"
    app_secret: str = "sandbox-meta-secret"  # noqa: S105 - the sandbox's published secret


class GraphError(Exception):
    """A Graph API error, raised anywhere in a handler and answered as Meta does."""

    def __init__(
        self, code: int, message: str, subcode: int | None = None, *, status: int = 400
    ) -> None:
        super().__init__(message)
        self.code, self.subcode, self.status, self.message = code, subcode, status, message

    @property
    def throttle(self) -> bool:
        """Return whether this is one of Meta's rate-limit errors."""
        return self.code in (4, 17, 32, 613) or 80000 <= self.code <= 80014

    def body(self) -> JSON:
        error: JSON = {"message": self.message, "type": "OAuthException", "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.throttle:
            error["is_transient"] = True
        error["fbtrace_id"] = secrets.token_urlsafe(8)
        return {"error": error}


@dataclass
class Token:
    value: str
    kind: str  # USER, PAGE, SYSTEM_USER
    expires_at: float  # 0: never
    issued_at: float
    user_id: str = "10229384756"
    scopes: tuple[str, ...] = SCOPES
    page_id: str | None = None


@dataclass
class ReportRun:
    run_id: str
    account: MetaAccount
    query: "InsightsQuery"
    polls: int = 0
    failed: bool = False


@dataclass
class Container:
    container_id: str
    ig_user_id: str
    image_url: str
    polls: int = 0
    error: bool = False
    published: bool = False
    caption: str = ""


@dataclass(frozen=True)
class InsightsQuery:
    campaigns: tuple[MetaCampaign, ...]
    since: date
    until: date
    fields: tuple[str, ...]
    windows: tuple[str, ...]


@dataclass
class MetaState:
    """Everything the platform learns while serving; guarded by one lock."""

    tokens: dict[str, Token] = field(default_factory=dict)
    codes: dict[str, tuple[str, float]] = field(default_factory=dict)
    campaigns: dict[str, JSON] = field(default_factory=dict)
    budget_changes: dict[str, list[float]] = field(default_factory=dict)
    runs: dict[str, ReportRun] = field(default_factory=dict)
    containers: dict[str, Container] = field(default_factory=dict)
    published: list[float] = field(default_factory=list)
    posted: list[SocialItem] = field(default_factory=list)  # published through the API
    comments: dict[str, list[JSON]] = field(default_factory=dict)  # media id -> comments made
    usage: dict[str, deque[float]] = field(default_factory=dict)
    page_tokens: dict[str, str] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)


class MetaPlatform(Platform):
    """Graph API nodes and edges, Facebook Login and the Instagram publishing flow."""

    name = "meta"
    url_map = Map(
        [
            Rule("/<ver>/dialog/oauth", endpoint="dialog", methods=["GET"]),
            Rule("/<ver>/oauth/access_token", endpoint="access_token", methods=["GET", "POST"]),
            Rule("/<ver>/debug_token", endpoint="debug_token", methods=["GET"]),
            Rule("/<ver>/<node>", endpoint="node", methods=["GET", "POST"]),
            Rule("/<ver>/<node>/<edge>", endpoint="edge", methods=["GET", "POST"]),
        ]
    )
    known_faults = frozenset(
        {f"{route}:{fault}" for route in LIST_ROUTES for fault in LIST_FAULTS}
        | {f"{route}:{fault}" for route in ONE_ROUTES for fault in ONE_FAULTS}
        | {"dialog:access_denied", "report_run:job_failed", "container:error"}
    )

    def __init__(
        self, options: SandboxOptions, app: MetaApp | None = None, anchor: datetime | None = None
    ) -> None:
        super().__init__(options)
        self.app = app or MetaApp()
        self.brand = MetaBrand(seed=options.seed, scale=options.scale, anchor=anchor_moment(anchor))
        self.state = MetaState()
        self.clock: Callable[[], float] = time.time
        self.call_limit = 100_000  # calls per five minutes before throttling
        self.sync_cell_limit = 40_000  # campaign-days a synchronous insights read may ask for
        self.deny_consent = False
        self.slow_seconds = 35.0
        self.regain_minutes = 1
        self.token_log: list[str] = []
        self.state.tokens[SYSTEM_USER_TOKEN] = Token(
            SYSTEM_USER_TOKEN, "SYSTEM_USER", 0, time.time()
        )

    def record_write(self, request: Request, route: str) -> None:
        """Remember a write with its form fields (the body is already parsed by then)."""
        body = urlencode(sorted(request.form.items())) or request.get_data(as_text=True)
        self.writes.append(Write(route, request.method, request.path, body))

    # Dispatch

    def handle(self, request: Request, mount_url: str) -> Response:
        """Strip the SDK's trailing slash, check the version, and answer errors as Meta does."""
        path = request.environ.get("PATH_INFO", "/")
        request.environ["PATH_INFO"] = path.rstrip("/") or "/"
        try:
            response = super().handle(Request(request.environ), mount_url)
        except GraphError as error:
            response = json_response(error.body(), error.status)
        return response

    def on_node(self, request: Request, mount_url: str, ver: str, node: str) -> Response:
        """Read or update one object."""
        _check_version(ver)
        if request.method == "POST":
            return self._answer(request, "campaign_update", node, self._update_campaign)
        route = self._node_route(node)
        return self._answer(request, route, node, self._read_node)

    def on_edge(self, request: Request, mount_url: str, ver: str, node: str, edge: str) -> Response:
        """Read or post to an edge of an object."""
        _check_version(ver)
        route, handler = self._edge_handler(request.method, node, edge)
        return self._answer(request, route, node, handler)

    def _answer(
        self, request: Request, route: str, node: str, handler: Callable[..., Any]
    ) -> Response:
        """Gate a Graph call (faults, token, usage), run it and shape the answer."""
        fault = self.faults.take(route)
        params = _params(request)
        account = self._account_of(node)
        usage = self._count_call(account)
        try:
            _early_fault(fault, self.slow_seconds)
            token = self._caller(request, params)
            self._throttle_if_spent(usage, route)
            body = handler(request=request, params=params, node=node, token=token, fault=fault)
        except GraphError as error:
            shown = max(usage, 101.0) if error.throttle else usage
            headers = self._usage_headers(account, route, shown)
            return json_response(error.body(), error.status, headers)
        return _bent(body, fault, self._usage_headers(account, route, usage))

    def _node_route(self, node: str) -> str:
        if node.startswith("act_"):
            return "account"
        if node in self.state.runs:
            return "report_run"
        if node in self.state.containers:
            return "container"
        return "campaign"

    def _edge_handler(self, method: str, node: str, edge: str) -> tuple[str, Callable[..., Any]]:
        """Pick the route name (for faults) and handler of an edge."""
        table: dict[tuple[str, str], tuple[str, Callable[..., Any]]] = {
            ("GET", "insights"): ("insights", self._insights),
            ("POST", "insights"): ("report_create", self._report_create),
            ("GET", "campaigns"): ("campaigns", self._campaigns),
            ("GET", "adsets"): ("adsets", self._adsets),
            ("GET", "adaccounts"): ("adaccounts", self._adaccounts),
            ("GET", "accounts"): ("pages", self._pages),
            ("GET", "posts"): ("posts", self._posts),
            ("GET", "feed"): ("posts", self._posts),
            ("GET", "published_posts"): ("posts", self._posts),
            ("POST", "feed"): ("feed", self._feed_post),
            ("GET", "media"): ("media", self._media),
            ("POST", "media"): ("container_create", self._container_create),
            ("POST", "media_publish"): ("media_publish", self._media_publish),
            ("POST", "comments"): ("comment", self._comment_create),
            ("GET", "comments"): ("comments", self._comments),
            ("GET", "content_publishing_limit"): ("publishing_limit", self._publishing_limit),
        }
        found = table.get((method, edge))
        if found is None:
            raise GraphError(100, f"(#100) Unknown edge {edge} on this object", 33)
        item = self._social_item(node) if found[0] == "insights" else None
        if item is not None:
            route = "media_insights" if item.channel == "instagram" else "post_insights"
            return route, self._item_insights
        return found

    # Tokens, usage and throttles

    def _caller(self, request: Request, params: Mapping[str, str]) -> Token:
        """Return the caller's live token; check its appsecret_proof when one is sent."""
        value = params.get("access_token") or _bearer(request)
        if not value:
            raise GraphError(104, "An access token is required to request this resource.")
        with self.state.lock:
            token = self.state.tokens.get(value)
        if token is None:
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        if token.expires_at and token.expires_at <= self.clock():
            raise GraphError(190, "Error validating access token: Session has expired.", 463)
        proof = params.get("appsecret_proof")
        if proof is not None and not hmac.compare_digest(proof, self.proof(value)):
            raise GraphError(100, "Invalid appsecret_proof provided in the API argument")
        return token

    def proof(self, token: str) -> str:
        """Return the appsecret_proof Meta expects for `token`."""
        key = self.app.app_secret.encode()
        return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()

    def expire_token(self, token: str) -> None:
        """Make a token expired from now on."""
        with self.state.lock:
            self.state.tokens[token].expires_at = self.clock() - 1

    def _count_call(self, account: str) -> float:
        """Count a call against the account's five-minute window; return the usage percent."""
        now = self.clock()
        with self.state.lock:
            calls = self.state.usage.setdefault(account, deque())
            while calls and calls[0] <= now - USAGE_WINDOW:
                calls.popleft()
            calls.append(now)
            return 100.0 * len(calls) / self.call_limit

    def _throttle_if_spent(self, usage: float, route: str) -> None:
        if usage > 100:
            code = 80000 if "insights" in route else 80004
            raise GraphError(code, "There have been too many calls to this ad-account.", 2446079)

    def _usage_headers(self, account: str, route: str, usage: float) -> dict[str, str]:
        pct = min(100, int(usage))
        kind = "ads_insights" if "insights" in route else "ads_management"
        regain = self.regain_minutes if usage > 100 else 0
        buc = {
            "type": kind, "call_count": pct, "total_cputime": pct // 2, "total_time": pct // 2,
            "estimated_time_to_regain_access": regain, "ads_api_access_tier": "standard_access",
        }  # fmt: skip
        return {
            "X-Business-Use-Case-Usage": json.dumps({account: [buc]}),
            "X-App-Usage": json.dumps({"call_count": pct, "total_cputime": 1, "total_time": 1}),
            "X-Ad-Account-Usage": json.dumps(
                {
                    "acc_id_util_pct": pct,
                    "reset_time_duration": 0,
                    "ads_api_access_tier": "standard_access",
                }
            ),
        }

    def _account_of(self, node: str) -> str:
        if node.startswith("act_"):
            return node.removeprefix("act_")
        campaign = self.brand.campaign(node)
        run = self.state.runs.get(node)
        account = campaign.account if campaign else (run.account if run else self.brand.accounts[0])
        return account.account_id

    # Ad accounts, campaigns, ad sets

    def _read_node(
        self, *, node: str, params: Mapping[str, str], fault: str | None, **_: Any
    ) -> JSON:
        """Answer GET /{node}: an account, campaign, report run, Page, container or media."""
        fields = _list(params.get("fields", ""))
        account = self.brand.account(node) if node.startswith("act_") else None
        if account is not None:
            return _pick(_account_json(account), fields)
        for reader in (self._campaign_node, self._run_node, self._container_node, self._misc_node):
            found = reader(node, fault)
            if found is not None:
                return _pick(found, fields) if fields else found
        raise _missing(node)

    def _campaign_node(self, node: str, fault: str | None) -> JSON | None:
        campaign = self.brand.campaign(node)
        return None if campaign is None else self.campaign_json(campaign)

    def campaign_json(self, campaign: MetaCampaign) -> JSON:
        """Return a campaign as the API shows it now, updates applied."""
        body: JSON = {
            "id": campaign.campaign_id,
            "account_id": campaign.account.account_id,
            "name": campaign.name,
            "status": campaign.status,
            "effective_status": campaign.status,
            "objective": campaign.objective,
            "created_time": self.brand.created_time(campaign),
            "updated_time": self.brand.created_time(campaign),
            "start_time": self.brand.created_time(campaign),
            "buying_type": "AUCTION",
        }
        if campaign.daily_budget is not None:
            body["daily_budget"] = str(campaign.daily_budget)
        if campaign.lifetime_budget is not None:
            body["lifetime_budget"] = str(campaign.lifetime_budget)
        with self.state.lock:
            body.update(self.state.campaigns.get(campaign.campaign_id, {}))
        return body

    def _update_campaign(
        self, *, request: Request, node: str, params: Mapping[str, str], **_: Any
    ) -> JSON:
        """Apply POST /{campaign_id}: status and daily_budget, as a recorded write."""
        campaign = self.brand.campaign(node)
        if campaign is None:
            raise _missing(node)
        changes = _campaign_changes(campaign, params)
        with self.state.lock:
            if "daily_budget" in changes:
                self._count_budget_change(node)
            self.state.campaigns.setdefault(node, {}).update(changes)
            self.record_write(request, "campaign_update")
        return {"success": True}

    def _count_budget_change(self, campaign_id: str) -> None:
        """Refuse a fifth budget change within an hour, as Meta does."""
        now = self.clock()
        recent = [t for t in self.state.budget_changes.get(campaign_id, []) if t > now - 3600]
        if len(recent) >= 4:
            raise GraphError(17, "User request limit reached: too many budget changes", 1487632)
        self.state.budget_changes[campaign_id] = [*recent, now]

    def _adaccounts(self, *, params: Mapping[str, str], **_: Any) -> JSON:
        items = [_account_json(a) for a in self.brand.accounts]
        return _offset_page(items, params)

    def _campaigns(
        self, *, node: str, params: Mapping[str, str], fault: str | None, **_: Any
    ) -> JSON:
        account = self._account(node)
        items = [self.campaign_json(c) for c in self.brand.campaigns_of(account)]
        return _offset_page(items, params, fault)

    def _adsets(self, *, node: str, params: Mapping[str, str], fault: str | None, **_: Any) -> JSON:
        campaigns = self._campaigns_under(node)
        items = [_adset_json(s) for c in campaigns for s in self.brand.ad_sets(c)]
        return _offset_page(items, params, fault)

    def _account(self, node: str) -> MetaAccount:
        account = self.brand.account(node)
        if account is None:
            raise _missing(node)
        return account

    def _campaigns_under(self, node: str) -> tuple[MetaCampaign, ...]:
        campaign = self.brand.campaign(node)
        if campaign is not None:
            return (campaign,)
        return self.brand.campaigns_of(self._account(node))

    # Insights, synchronous and as report runs

    def _insights(
        self, *, node: str, params: Mapping[str, str], fault: str | None, **_: Any
    ) -> JSON:
        run = self.state.runs.get(node)
        if run is not None:
            if self._run_status(run, poll=False)[0] != "Job Completed":
                raise GraphError(100, "(#100) The report is not ready yet", 1487534)
            return self._insights_page(run.query, params, fault)
        query = self._insights_query(node, params)
        cells = len(query.campaigns) * ((query.until - query.since).days + 1)
        if cells > self.sync_cell_limit:
            raise GraphError(100, "Please reduce the amount of data you're asking for", 1487534)
        return self._insights_page(query, params, fault)

    def _insights_query(self, node: str, params: Mapping[str, str]) -> InsightsQuery:
        """Parse an insights request (campaign level, daily) into a query."""
        level = params.get("level", "campaign" if self.brand.campaign(node) else "")
        if level != "campaign" or params.get("time_increment", "1") != "1":
            raise GraphError(100, "(#100) Only level=campaign with time_increment=1 is served")
        campaigns = self._campaigns_under(node)
        since, until = _range(params, self.brand.local_today(campaigns[0].account))
        fields = tuple(_list(params.get("fields", "")) or ("impressions", "spend"))
        windows = tuple(_list(params.get("action_attribution_windows", "")))
        return InsightsQuery(campaigns, since, until, fields, windows)

    def _insights_page(
        self, query: InsightsQuery, params: Mapping[str, str], fault: str | None
    ) -> JSON:
        limit = _limit(params, cap=1000)
        after = _decode_key(params.get("after"))
        rows, more = self.brand.insight_rows(
            query.campaigns, query.since, query.until, after=after, limit=limit
        )
        data = [row.json(query.fields, query.windows) for row in rows]
        keys = [row.key for row in rows]
        if fault == "duplicate" and more and len(keys) > 1:
            keys = keys[:-1]  # the next page starts again at our last row
        return _paged(data, [_encode_key(k) for k in keys], more)

    def _report_create(self, *, node: str, params: Mapping[str, str], **_: Any) -> JSON:
        query = self._insights_query(node, params)
        run_id = str(6_000_000_000_000_000 + secrets.randbelow(10**15))
        with self.state.lock:
            self.state.runs[run_id] = ReportRun(run_id, query.campaigns[0].account, query)
        return {"report_run_id": run_id}

    def _run_node(self, node: str, fault: str | None) -> JSON | None:
        run = self.state.runs.get(node)
        if run is None:
            return None
        if fault == "job_failed":
            run.failed = True
        status, percent = self._run_status(run, poll=True)
        return {
            "id": run.run_id,
            "account_id": run.account.account_id,
            "async_status": status,
            "async_percent_completion": percent,
            "date_start": run.query.since.isoformat(),
            "date_stop": run.query.until.isoformat(),
        }

    def _run_status(self, run: ReportRun, *, poll: bool) -> tuple[str, int]:
        with self.state.lock:
            run.polls += 1 if poll else 0
            if run.failed:
                return "Job Failed", 0
            return ("Job Running", 50) if run.polls < 2 else ("Job Completed", 100)

    # Facebook Login

    def on_dialog(self, request: Request, mount_url: str, ver: str) -> Response:
        """Consent at once and send the browser back with a code (or the user's refusal)."""
        args = request.args
        redirect_uri, state = args.get("redirect_uri", ""), args.get("state", "")
        if args.get("client_id") != self.app.app_id or not redirect_uri:
            return json_response(GraphError(191, "Invalid app or redirect").body(), 400)
        if self.faults.take("dialog") == "access_denied" or self.deny_consent:
            return _back(
                redirect_uri, error="access_denied", error_reason="user_denied", state=state
            )
        code = secrets.token_urlsafe(32)
        with self.state.lock:
            self.state.codes[code] = (redirect_uri, self.clock() + 600)
        return _back(redirect_uri, code=code, state=state)

    def on_access_token(self, request: Request, mount_url: str, ver: str) -> Response:
        """Exchange a code for a short-lived token, or a live token for a 60-day one."""
        self.token_log.append(request.method)
        self.record_write(request, "access_token")
        try:
            _early_fault(self.faults.take("access_token"), self.slow_seconds)
            body = self._exchange(_params(request))
        except GraphError as error:
            return json_response(error.body(), error.status)
        return json_response(body)

    def _exchange(self, params: Mapping[str, str]) -> JSON:
        if (params.get("client_id"), params.get("client_secret")) != (
            self.app.app_id,
            self.app.app_secret,
        ):
            raise GraphError(101, "Error validating client secret.")
        if params.get("grant_type") == "fb_exchange_token":
            return self._long_lived(params.get("fb_exchange_token", ""))
        with self.state.lock:
            grant = self.state.codes.pop(params.get("code", ""), None)
        if grant is None or grant[1] < self.clock():
            raise GraphError(100, "This authorization code has been used.", 36009)
        if grant[0] != params.get("redirect_uri"):
            raise GraphError(100, "Error validating verification code: redirect_uri differs", 36008)
        return self.issue("USER", SHORT_TTL)

    def _long_lived(self, value: str) -> JSON:
        token = self.state.tokens.get(value)
        if token is None or token.kind != "USER":
            raise GraphError(190, "Invalid OAuth access token.")
        if token.expires_at <= self.clock():
            raise GraphError(190, "Error validating access token: Session has expired.", 463)
        return self.issue("USER", LONG_TTL)

    def issue(self, kind: str, ttl: int, page_id: str | None = None) -> JSON:
        """Mint a token; return Meta's token answer."""
        value = "EAA" + secrets.token_urlsafe(48)
        now = self.clock()
        with self.state.lock:
            self.state.tokens[value] = Token(
                value, kind, now + ttl if ttl else 0, now, page_id=page_id
            )
        return {"access_token": value, "token_type": "bearer", "expires_in": ttl}

    def on_debug_token(self, request: Request, mount_url: str, ver: str) -> Response:
        """Describe a token to the app that owns it."""
        params = _params(request)
        if params.get("access_token") != f"{self.app.app_id}|{self.app.app_secret}":
            return json_response(GraphError(190, "Invalid app access token").body(), 400)
        fault = self.faults.take("debug_token")
        try:
            _early_fault(fault, self.slow_seconds)
        except GraphError as error:
            return json_response(error.body(), error.status)
        return json_response({"data": self._token_data(params.get("input_token", ""))})

    def _token_data(self, value: str) -> JSON:
        token = self.state.tokens.get(value)
        if token is None:
            return {"error": {"code": 190, "message": "Invalid OAuth access token."},
                    "is_valid": False, "scopes": []}  # fmt: skip
        valid = not token.expires_at or token.expires_at > self.clock()
        return {
            "app_id": self.app.app_id, "type": token.kind, "application": "Flux Marketing",
            "data_access_expires_at": int(self.clock()) + 90 * 86_400,
            "expires_at": int(token.expires_at), "is_valid": valid,
            "issued_at": int(token.issued_at), "scopes": list(token.scopes),
            "granular_scopes": [{"scope": s} for s in token.scopes], "user_id": token.user_id,
        }  # fmt: skip

    # Pages and Instagram

    def _pages(
        self, *, token: Token, params: Mapping[str, str], fault: str | None, **_: Any
    ) -> JSON:
        page = self._page_token(token)
        item = {
            "id": self.brand.page_id, "name": self.brand.page_name, "access_token": page,
            "category": "Shopping & retail", "tasks": ["ANALYZE", "ADVERTISE", "CREATE_CONTENT"],
        }  # fmt: skip
        return _offset_page([item], params, fault)

    def _page_token(self, user: Token) -> str:
        """Return the Page token for a user token (lasting as long as the user token)."""
        with self.state.lock:
            known = self.state.page_tokens.get(user.value)
            if known is None:
                ttl = int(user.expires_at - self.clock()) if user.expires_at else 0
                known = str(self.issue("PAGE", ttl, self.brand.page_id)["access_token"])
                self.state.page_tokens[user.value] = known
            return known

    def _misc_node(self, node: str, fault: str | None) -> JSON | None:
        if node == "me":
            return {"id": "10229384756", "name": "Flux Admin"}
        if node == self.brand.page_id:
            return {
                "id": node, "name": self.brand.page_name,
                "instagram_business_account": {"id": self.brand.ig_user_id},
            }  # fmt: skip
        if node == self.brand.ig_user_id:
            return {"id": node, "username": self.brand.ig_username}
        item = self._social_item(node)
        return None if item is None else _item_json(item, self.brand.now)

    def _social_item(self, node: str) -> SocialItem | None:
        channel = "facebook" if "_" in node else "instagram"
        return next((i for i in self._items(channel) if i.item_id == node), None)

    def _items(self, channel: str) -> list[SocialItem]:
        """Return a channel's items, newest first: posted through the API, then the brand's."""
        brand = self.brand.page_posts() if channel == "facebook" else self.brand.ig_media()
        with self.state.lock:
            posted = [i for i in reversed(self.state.posted) if i.channel == channel]
        return posted + brand

    def _post_item(self, channel: str, item_id: str, text: str, kind: str) -> None:
        """Remember an item published through the API, so reads and insights find it."""
        product = self.brand.catalog.products[len(self.state.posted) % 7]
        item = SocialItem(
            channel, 10_000 + len(self.state.posted), item_id, self.brand.now, text, kind,
            product, reach=1200, impressions=1800, likes=60, comments=8, shares=5, saves=12,
            clicks=30,
        )  # fmt: skip
        with self.state.lock:
            self.state.posted.append(item)

    def _posts(self, *, node: str, params: Mapping[str, str], fault: str | None, **_: Any) -> JSON:
        if node != self.brand.page_id:
            raise _missing(node)
        fields = _list(params.get("fields", "")) or ["id", "message", "created_time"]
        items = _since(self._items("facebook"), params)
        return _offset_page(
            [_pick(_item_json(i, self.brand.now), fields) for i in items], params, fault
        )

    def _media(self, *, node: str, params: Mapping[str, str], fault: str | None, **_: Any) -> JSON:
        if node != self.brand.ig_user_id:
            raise _missing(node)
        fields = _list(params.get("fields", "")) or ["id"]
        items = _since(self._items("instagram"), params)
        return _offset_page(
            [_pick(_item_json(i, self.brand.now), fields) for i in items], params, fault
        )

    def _item_insights(self, *, node: str, params: Mapping[str, str], **_: Any) -> JSON:
        item = self._social_item(node)
        if item is None:
            raise _missing(node)
        known = POST_METRICS if item.channel == "facebook" else IG_METRICS
        metrics = _list(params.get("metric", ""))
        unknown = [m for m in metrics if m not in known]
        if unknown or not metrics:
            raise GraphError(100, f"(#100) The value must be a valid insights metric: {unknown}")
        values = _item_metrics(item, self.brand.now)
        data = [
            {"name": m, "period": "lifetime", "values": [{"value": values[m]}], "title": m,
             "description": m, "id": f"{node}/insights/{m}/lifetime"}
            for m in metrics
        ]  # fmt: skip
        return {"data": data}

    def _feed_post(
        self, *, request: Request, node: str, token: Token, params: Mapping[str, str], **_: Any
    ) -> JSON:
        if token.kind != "PAGE" or token.page_id != node:
            raise GraphError(200, "(#200) Publishing to a Page needs its Page access token")
        if not params.get("message") and not params.get("link"):
            raise GraphError(100, "(#100) A message or link is required")
        self.record_write(request, "feed")
        post_id = f"{node}_{secrets.randbelow(10**16) + 10**15}"
        self._post_item("facebook", post_id, params.get("message", ""), "mobile_status_update")
        return {"id": post_id}

    def _container_create(
        self, *, request: Request, node: str, params: Mapping[str, str], fault: str | None, **_: Any
    ) -> JSON:
        if node != self.brand.ig_user_id:
            raise _missing(node)
        image_url = params.get("image_url", "")
        if not image_url.startswith(("http://", "https://")):
            raise GraphError(100, "(#100) image_url must be a public http(s) URL", 2207052)
        container_id = "179" + str(secrets.randbelow(10**14) + 10**13)
        with self.state.lock:
            self.state.containers[container_id] = Container(
                container_id, node, image_url, caption=params.get("caption", "")
            )
            self.record_write(request, "container_create")
        return {"id": container_id}

    def _container_node(self, node: str, fault: str | None) -> JSON | None:
        container = self.state.containers.get(node)
        if container is None:
            return None
        if fault == "error":
            container.error = True
        container.polls += 1
        return {"id": node, **_container_status(container)}

    def _media_publish(
        self, *, request: Request, node: str, params: Mapping[str, str], **_: Any
    ) -> JSON:
        with self.state.lock:
            container = self.state.containers.get(params.get("creation_id", ""))
            if container is None or container.ig_user_id != node:
                raise GraphError(100, "(#100) Unknown creation_id", 2207027)
            if _container_status(container)["status_code"] != "FINISHED":
                raise GraphError(9007, "Media ID is not available", 2207027)
            if self._published_today() >= PUBLISH_LIMIT:
                raise GraphError(9, "Application request limit reached: 50 posts a day", 2207042)
            container.published = True
            self.state.published.append(self.clock())
            self.record_write(request, "media_publish")
            media_id = "179" + str(secrets.randbelow(10**14) + 10**13)
            self._post_item("instagram", media_id, container.caption, "IMAGE")
        return {"id": media_id}

    def _comment_create(
        self, *, request: Request, node: str, params: Mapping[str, str], **_: Any
    ) -> JSON:
        if self._social_item(node) is None:
            raise _missing(node)
        if not params.get("message"):
            raise GraphError(100, "(#100) A comment needs a message")
        self.record_write(request, "comment")
        comment = {"id": "179" + str(secrets.randbelow(10**14) + 10**13), "text": params["message"]}
        with self.state.lock:
            self.state.comments.setdefault(node, []).append(comment)
        return {"id": comment["id"]}

    def _comments(self, *, node: str, **_: Any) -> JSON:
        if self._social_item(node) is None:
            raise _missing(node)
        with self.state.lock:
            return {"data": list(self.state.comments.get(node, []))}

    def _published_today(self) -> int:
        return sum(1 for t in self.state.published if t > self.clock() - 86_400)

    def _publishing_limit(self, **_: Any) -> JSON:
        with self.state.lock:
            used = self._published_today()
        config = {"quota_total": PUBLISH_LIMIT, "quota_duration": 86400}
        return {"data": [{"quota_usage": used, "config": config}]}


# Parsing requests


def _check_version(ver: str) -> None:
    if not re.fullmatch(r"v\d+\.\d+", ver):
        raise GraphError(2635, f"Unknown API version {ver}", status=400)


def _params(request: Request) -> dict[str, str]:
    """Merge the query string and a form body; the SDK puts the token in the query on POST."""
    merged = dict(request.args.items())
    merged.update(request.form.items())
    return merged


def _bearer(request: Request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value if scheme.lower() in ("bearer", "oauth") else ""


def _list(value: str) -> list[str]:
    """Parse a list parameter sent as CSV or as a JSON array."""
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise GraphError(100, "(#100) Malformed list parameter") from exc
        return [str(v) for v in parsed]
    return [part.strip().split(".")[0] for part in text.split(",") if part.strip()]


def _limit(params: Mapping[str, str], *, cap: int) -> int:
    try:
        return max(1, min(cap, int(params.get("limit", "25"))))
    except ValueError as exc:
        raise GraphError(100, "(#100) limit must be an integer") from exc


PRESETS = {"yesterday": 1, "last_3d": 3, "last_7d": 7, "last_14d": 14, "last_28d": 28,
           "last_30d": 30, "last_90d": 90}  # fmt: skip


def _range(params: Mapping[str, str], today: date) -> tuple[date, date]:
    """Return the days asked for by time_range (JSON) or a date_preset."""
    preset = params.get("date_preset")
    if preset in PRESETS:
        return today - timedelta(days=PRESETS[preset]), today - timedelta(days=1)
    try:
        window = json.loads(params.get("time_range", ""))
        return date.fromisoformat(window["since"]), date.fromisoformat(window["until"])
    except (ValueError, KeyError, TypeError) as exc:
        raise GraphError(100, "(#100) time_range must be {'since':..., 'until':...}") from exc


def _campaign_changes(campaign: MetaCampaign, params: Mapping[str, str]) -> JSON:
    """Return the accepted changes of a campaign update, or raise Meta's error."""
    changes: JSON = {}
    status = params.get("status")
    if status is not None:
        if status not in ("ACTIVE", "PAUSED", "DELETED", "ARCHIVED"):
            raise GraphError(100, f"(#100) status must be one of ACTIVE, PAUSED, ...: {status}")
        changes.update(status=status, effective_status=status)
    budget = params.get("daily_budget")
    if budget is not None:
        if campaign.daily_budget is None or not budget.isdigit() or int(budget) < 100:
            raise GraphError(100, "(#100) Invalid daily_budget for this campaign", 1885272)
        changes["daily_budget"] = str(int(budget))
    if not changes:
        raise GraphError(100, "(#100) Nothing to update")
    return changes


def _since(items: list[SocialItem], params: Mapping[str, str]) -> list[SocialItem]:
    since = params.get("since")
    if not since:
        return items
    floor = float(since) if since.isdigit() else datetime.fromisoformat(since).timestamp()
    return [i for i in items if i.created.timestamp() >= floor]


# Shaping answers


def _early_fault(fault: str | None, slow_seconds: float) -> None:
    """Raise the error a fault stands for; sleep through a slow one."""
    if fault == "slow":
        time.sleep(slow_seconds)
    if fault in THROTTLES:
        code, subcode, message = THROTTLES[fault]
        raise GraphError(code, message, subcode)
    if fault == "server_error":
        raise GraphError(1, "An unknown error occurred", status=500)
    if fault == "unavailable":
        raise GraphError(2, "Service temporarily unavailable", status=503)
    if fault == "expired_token":
        raise GraphError(190, "Error validating access token: Session has expired.", 463)


def _bent(body: JSON, fault: str | None, headers: dict[str, str]) -> Response:
    """Answer `body`, garbled or cut short when a fault asks for it."""
    text = json.dumps(body)
    if fault == "malformed":
        text = '{"data": [}, <html>Bad gateway</html>'
    elif fault == "truncated":
        text = text[: len(text) // 2]
    response = Response(text, status=200, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    for key, value in headers.items():
        response.headers[key] = value
    return response


def _paged(data: list[JSON], keys: Sequence[str], more: bool) -> JSON:
    """Page the Graph way: cursors always, `next` only when another page follows."""
    if not data:
        return {"data": []}
    paging: JSON = {"cursors": {"before": keys[0], "after": keys[-1]}}
    if more:
        paging["next"] = "https://graph.facebook.com/next?" + urlencode({"after": keys[-1]})
    return {"data": data, "paging": paging}


def _offset_page(items: list[JSON], params: Mapping[str, str], fault: str | None = None) -> JSON:
    start = (_decode_key(params.get("after")) or (0, -1))[1] + 1
    limit = _limit(params, cap=500)
    chunk = items[start : start + limit]
    keys = [_encode_key((0, start + n)) for n in range(len(chunk))]
    more = start + limit < len(items)
    if fault == "duplicate" and more and len(keys) > 1:
        keys = keys[:-1]
    body = _paged(chunk, keys, more)
    if params.get("summary") == "true":
        body["summary"] = {"total_count": len(items)}
    return body


def _encode_key(key: tuple[int, int]) -> str:
    return base64.urlsafe_b64encode(f"{key[0]}:{key[1]}".encode()).decode().rstrip("=")


def _decode_key(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        first, second = text.split(":")
        return int(first), int(second)
    except (ValueError, UnicodeDecodeError) as exc:
        raise GraphError(100, "(#100) Invalid cursor") from exc


def _pick(body: JSON, fields: Sequence[str]) -> JSON:
    if not fields:
        return body
    return {k: v for k, v in body.items() if k in fields or k == "id"}


def _missing(node: str) -> GraphError:
    return GraphError(100, f"Unsupported get request. Object with ID '{node}' does not exist", 33)


def _account_json(account: MetaAccount) -> JSON:
    return {
        "id": account.act_id, "account_id": account.account_id, "name": account.name,
        "currency": account.currency, "timezone_name": account.time_zone, "account_status": 1,
    }  # fmt: skip


def _adset_json(spec: Any) -> JSON:
    body: JSON = {
        "id": spec.adset_id, "name": spec.name, "campaign_id": spec.campaign.campaign_id,
        "status": spec.campaign.status, "effective_status": spec.campaign.status,
        "targeting": spec.targeting, "optimization_goal": "OFFSITE_CONVERSIONS",
        "billing_event": "IMPRESSIONS",
    }  # fmt: skip
    if spec.daily_budget is not None:
        body["daily_budget"] = str(spec.daily_budget)
    return body


def _item_metrics(item: SocialItem, now: datetime) -> dict[str, int]:
    g = item.grown(now)
    likes, comments = int(item.likes * g), int(item.comments * g)
    shares, saves = int(item.shares * g), int(item.saves * g)
    return {
        "post_impressions": int(item.impressions * g),
        "post_impressions_unique": int(item.reach * g),
        "post_clicks": int(item.clicks * g), "post_reactions_like_total": likes,
        "reach": int(item.reach * g), "views": int(item.impressions * g), "likes": likes,
        "comments": comments, "saved": saves, "shares": shares,
        "total_interactions": likes + comments + saves + shares,
    }  # fmt: skip


def _item_json(item: SocialItem, now: datetime) -> JSON:
    stamp = item.created.strftime("%Y-%m-%dT%H:%M:%S+0000")
    m = _item_metrics(item, now)
    if item.channel == "facebook":
        return {
            "id": item.item_id, "message": item.text, "created_time": stamp,
            "permalink_url": f"https://www.facebook.com/{item.item_id.replace('_', '/posts/')}",
            "status_type": item.media_type, "shares": {"count": m["shares"]},
            "comments": {"data": [], "summary": {"total_count": m["comments"]}},
        }  # fmt: skip
    return {
        "id": item.item_id, "caption": item.text, "media_type": item.media_type,
        "media_product_type": "REELS" if item.media_type == "VIDEO" else "FEED",
        "permalink": f"https://www.instagram.com/p/{item.item_id[-11:]}/", "timestamp": stamp,
        "like_count": m["likes"], "comments_count": m["comments"],
    }  # fmt: skip


def _container_status(container: Container) -> JSON:
    if container.error or "error" in container.image_url:
        return {"status_code": "ERROR", "status": "Error: Media download failed (2207026)"}
    if container.published:
        return {"status_code": "PUBLISHED", "status": "Published"}
    if container.polls < 2:
        return {"status_code": "IN_PROGRESS", "status": "In progress"}
    return {"status_code": "FINISHED", "status": "Finished"}


def _back(redirect_uri: str, **params: str) -> Response:
    joiner = "&" if "?" in redirect_uri else "?"
    return redirect(f"{redirect_uri}{joiner}{urlencode(params)}", code=302)
