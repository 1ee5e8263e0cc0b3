"""The sandbox server: one WSGI application that mounts each imitated platform under its prefix.

A platform is a `Platform` subclass with a `name` (its path prefix), a werkzeug `Map` of its
routes and one handler method per endpoint. The server strips the prefix, so each platform
sees the paths the real service answers at. Every platform shares three test hooks, reachable
over HTTP under /_sandbox/<name>/ and from Python through `Sandbox.platforms[name]`:
`faults` (arm a one-shot fault for a named route), `writes` (the writes it has received) and
`request_log` (every HTTP request it has received: method, path and time, never a query or body).
"""

import json
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from sandbox.platforms.oidc import OidcClient

SCALES = ("demo", "bench")
# The request log keeps the latest requests only, so a bench-scale sync cannot fill the memory.
REQUEST_LOG_SIZE = 100_000


@dataclass(frozen=True)
class SandboxOptions:
    """What every platform may use to seed itself deterministically."""

    scale: str = "demo"
    seed: int = 1
    orders: int | None = None  # None: the scale's order count; tests pass a smaller brand


@dataclass(frozen=True)
class Write:
    """One write a platform received, kept so tests can assert on it."""

    route: str
    method: str
    path: str
    body: str


@dataclass(frozen=True)
class Seen:
    """One request a platform received; the query and body stay out (they carry tokens)."""

    method: str
    path: str
    at: float  # seconds since the epoch


@dataclass
class FaultPlan:
    """One-shot faults armed per route; thread-safe because the server is threaded."""

    _armed: dict[str, list[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def arm(self, route: str, fault: str) -> None:
        """Make the next request to `route` carry `fault`."""
        with self._lock:
            self._armed.setdefault(route, []).append(fault)

    def take(self, route: str) -> str | None:
        """Return and forget the oldest fault armed for `route`, if any."""
        with self._lock:
            queue = self._armed.get(route)
            return queue.pop(0) if queue else None

    def clear(self) -> None:
        """Forget every armed fault."""
        with self._lock:
            self._armed.clear()


class Platform:
    """Base of every imitated platform; subclasses set `name`, `url_map` and handlers."""

    name: ClassVar[str]
    url_map: ClassVar[Map]
    known_faults: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.faults = FaultPlan()
        self.writes: list[Write] = []
        self.request_log: deque[Seen] = deque(maxlen=REQUEST_LOG_SIZE)

    def handle(self, request: Request, mount_url: str) -> Response:
        """Dispatch `request` (path already stripped of the prefix) to its handler."""
        adapter = self.url_map.bind_to_environ(request.environ)
        endpoint, values = adapter.match()
        handler = getattr(self, f"on_{endpoint}")
        response: Response = handler(request, mount_url, **values)
        return response

    def control(self, request: Request, action: str) -> Response:
        """Answer a platform's own /_sandbox/<name>/<action> test hook; none by default."""
        raise NotFound()

    def record_write(self, request: Request, route: str) -> None:
        """Remember a write so tests can check what the app sent."""
        body = request.get_data(as_text=True)
        self.writes.append(Write(route, request.method, request.path, body))


class Sandbox:
    """The WSGI application serving every mounted platform plus the /_sandbox control routes."""

    def __init__(self, platforms: Iterable[Platform]) -> None:
        self.platforms = {platform.name: platform for platform in platforms}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self._route(request)
        except HTTPException as error:
            response = json_response({"error": error.name.lower()}, status=error.code or 500)
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        head, _, rest = request.path.lstrip("/").partition("/")
        if head == "_sandbox":
            return self._control(request, rest)
        platform = self.platforms.get(head)
        if platform is None:
            raise NotFound()
        platform.request_log.append(Seen(request.method, f"/{rest}", time.time()))
        request.environ["SCRIPT_NAME"] = request.environ.get("SCRIPT_NAME", "") + f"/{head}"
        request.environ["PATH_INFO"] = f"/{rest}"
        return platform.handle(Request(request.environ), f"{request.host_url}{head}")

    def _control(self, request: Request, rest: str) -> Response:
        name, _, action = rest.partition("/")
        platform = self.platforms.get(name)
        if platform is None:
            raise NotFound()
        if action == "faults" and request.method == "POST":
            return _arm_fault(platform, request)
        if action == "faults" and request.method == "DELETE":
            platform.faults.clear()
            return json_response({"cleared": True})
        if action == "writes" and request.method == "GET":
            return json_response({"writes": [w.__dict__ for w in platform.writes]})
        if action == "request_log" and request.method == "GET":
            return json_response({"requests": [s.__dict__ for s in list(platform.request_log)]})
        return platform.control(request, action)


def _arm_fault(platform: Platform, request: Request) -> Response:
    payload = request.get_json(silent=True) or {}
    route, fault = str(payload.get("route", "")), str(payload.get("fault", ""))
    if f"{route}:{fault}" not in platform.known_faults:
        return json_response(
            {"error": "unknown_fault", "known": sorted(platform.known_faults)}, 400
        )
    platform.faults.arm(route, fault)
    return json_response({"armed": {"route": route, "fault": fault}})


def json_response(
    body: object, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """Answer with a JSON body, never cached."""
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def build_sandbox(
    options: SandboxOptions | None = None, *, oidc_client: "OidcClient | None" = None
) -> Sandbox:
    """Build the sandbox with every platform mounted."""
    from sandbox.platforms.anthropic import AnthropicPlatform
    from sandbox.platforms.google_ads import GoogleAdsPlatform
    from sandbox.platforms.google_oauth import GoogleOAuth
    from sandbox.platforms.meta import MetaPlatform
    from sandbox.platforms.oidc import OidcProvider
    from sandbox.platforms.search_console import SearchConsole
    from sandbox.platforms.shippo import ShippoPlatform
    from sandbox.platforms.squarespace import Squarespace

    options = options or SandboxOptions()
    google = GoogleOAuth(options)
    return Sandbox(
        [
            OidcProvider(options, oidc_client),
            Squarespace(options),
            ShippoPlatform(options),
            google,
            SearchConsole(options, google),
            GoogleAdsPlatform(options, google),
            MetaPlatform(options),
            AnthropicPlatform(options),
        ]
    )
