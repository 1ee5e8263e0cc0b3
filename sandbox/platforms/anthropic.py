"""The Anthropic Messages API imitated: POST /v1/messages (plain and streamed), GET /v1/models.

Shaped like the real API where the SDK depends on it: the key comes as `Authorization: Bearer`
(SDK 2.x) or `x-api-key` (older SDKs), the version header is ignored; errors are
`{"type": "error", "error": {"type", "message"}, "request_id"}` with a `request-id` header;
a stream is the SSE sequence message_start, content_block_start/delta/stop per block,
message_delta (stop_reason, usage) and message_stop. Usage counts prompt characters / 4 as
input tokens; a system block marked `cache_control` is written to the cache the first time
and read from it afterwards, so both cache counters move.

The answer comes from anthropic_model.py: deterministic tool calls read from the data blocks.

Test hooks: `requests` (every request received, with the auth style it used), the shared
one-shot faults (see FAULTS), and `retry_after_ms` to keep retry waits short.
"""

import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox.platforms.anthropic_model import (
    Reading,
    ToolCall,
    decide,
    invalid,
    obey,
    read_request,
)
from sandbox.server import Platform, SandboxOptions, json_response

JSON = dict[str, Any]
DEMO_API_KEY = "sk-ant-sandbox-demo"
KEY_PREFIX = "sk-ant-"
MODELS = ("claude-sonnet-4-5", "claude-sonnet-4-6", "claude-opus-4-5", "claude-haiku-4-5")
CHARS_PER_TOKEN = 4
FAULTS = (
    "none",  # answers normally: armed first, it moves the next fault to a later request
    "rate_limited",  # 429 rate_limit_error with retry-after
    "overloaded",  # 529 overloaded_error
    "server_error",  # 500 api_error
    "malformed",  # 200 with a body that is not JSON
    "overloaded_mid_stream",  # a stream that breaks off with an overloaded_error event
    "obey",  # the model does what injected text in the data asks
    "invalid_tools",  # the model answers with unknown campaigns and out-of-schema input
)
ERROR_STATUS = {"rate_limited": 429, "overloaded": 529, "server_error": 500}
ERROR_TYPE = {429: "rate_limit_error", 529: "overloaded_error", 500: "api_error"}


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the sandbox saw it: the auth style, the path and the JSON body."""

    path: str
    auth: str  # "bearer", "x-api-key" or "none"
    body: JSON


class AnthropicPlatform(Platform):
    """The Messages API at its own root paths."""

    name = "anthropic"
    url_map = Map(
        [
            Rule("/v1/messages", endpoint="messages", methods=["POST"]),
            Rule("/v1/models", endpoint="models", methods=["GET"]),
        ]
    )
    known_faults: ClassVar[frozenset[str]] = frozenset(
        {f"messages:{fault}" for fault in FAULTS} | {"models:server_error", "models:none"}
    )

    def __init__(self, options: SandboxOptions) -> None:
        super().__init__(options)
        self.requests: list[ReceivedRequest] = []
        self.retry_after_ms = 50
        self._cached: set[str] = set()
        self._lock = threading.Lock()

    def handle(self, request: Request, mount_url: str) -> Response:
        """Record the request, then refuse a missing or unknown key before any route runs."""
        auth, key = _credentials(request)
        body = request.get_json(silent=True)
        with self._lock:
            self.requests.append(ReceivedRequest(request.path, auth, body or {}))
        if not key.startswith(KEY_PREFIX) or len(key) <= len(KEY_PREFIX):
            return error_response(401, "authentication_error", "invalid x-api-key")
        return super().handle(request, mount_url)

    def on_models(self, request: Request, mount_url: str) -> Response:
        if self.faults.take("models") == "server_error":
            return error_response(500, "api_error", "Internal server error")
        data = [{"type": "model", "id": m, "display_name": m, "created_at": "2025-09-29T00:00:00Z"}
                for m in MODELS]  # fmt: skip
        body = {"data": data, "has_more": False, "first_id": MODELS[0], "last_id": MODELS[-1]}
        return _with_request_id(json_response(body))

    def on_messages(self, request: Request, mount_url: str) -> Response:
        fault = self.faults.take("messages")
        if fault in ERROR_STATUS:
            return self._error_fault(fault)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not body.get("messages") or not body.get("model"):
            return error_response(400, "invalid_request_error", "model and messages are required")
        if fault == "malformed":
            return _with_request_id(Response("{not json", mimetype="application/json"))
        message = self._answer(body, fault)
        if body.get("stream"):
            return self._stream(message, broken=fault == "overloaded_mid_stream")
        return _with_request_id(json_response(message))

    def _error_fault(self, fault: str) -> Response:
        status = ERROR_STATUS[fault]
        headers = {}
        if status == 429:
            headers = {"retry-after-ms": str(self.retry_after_ms), "retry-after": "1"}
        message = "Overloaded" if status == 529 else "Try again."
        return error_response(status, ERROR_TYPE[status], message, headers)

    def _answer(self, body: JSON, fault: str | None) -> JSON:
        reading = read_request(body)
        calls = _calls_for(reading, fault)
        content: list[JSON] = [{"type": "text", "text": _summary(calls)}]
        content += [
            {"type": "tool_use", "id": f"toolu_{secrets.token_hex(12)}", "name": c.name,
             "input": c.input}
            for c in calls
        ]  # fmt: skip
        return {
            "id": f"msg_{secrets.token_hex(12)}",
            "type": "message",
            "role": "assistant",
            "model": str(body["model"]),
            "content": content,
            "stop_reason": "tool_use" if calls else "end_turn",
            "stop_sequence": None,
            "usage": self._usage(body, content),
        }

    def _usage(self, body: JSON, content: list[JSON]) -> JSON:
        cached = _cached_text(body)
        prompt = json.dumps(body.get("messages")) + json.dumps(body.get("tools") or [])
        usage = {
            "input_tokens": _tokens(prompt + _system_text(body)) - _tokens(cached),
            "output_tokens": _tokens(json.dumps(content)),
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "service_tier": "standard",
        }
        if cached:
            key = hashlib.sha256(cached.encode()).hexdigest()
            with self._lock:
                seen = key in self._cached
                self._cached.add(key)
            usage["cache_read_input_tokens" if seen else "cache_creation_input_tokens"] = _tokens(
                cached
            )
        return usage

    def _stream(self, message: JSON, *, broken: bool) -> Response:
        response = Response(_sse(message, broken=broken), mimetype="text/event-stream")
        response.headers["Cache-Control"] = "no-cache"
        return _with_request_id(response)


def _calls_for(reading: Reading, fault: str | None) -> list[ToolCall]:
    if fault == "obey":
        return obey(reading)
    if fault == "invalid_tools":
        return invalid(reading)
    return decide(reading)


def _summary(calls: list[ToolCall]) -> str:
    if not calls:
        return "Nothing in the data calls for a change today."
    return f"I propose {len(calls)} change(s), each with its evidence."


def _sse(message: JSON, *, broken: bool) -> Iterator[bytes]:
    """Yield the message as the SDK's stream events; a broken one stops with an error event."""
    start = dict(message, content=[], stop_reason=None)
    start["usage"] = dict(message["usage"], output_tokens=1)
    yield _event("message_start", {"type": "message_start", "message": start})
    yield _event("ping", {"type": "ping"})
    if broken:
        error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
        yield _event("error", error)
        return
    for index, block in enumerate(message["content"]):
        yield from _block_events(index, block)
    delta = {"stop_reason": message["stop_reason"], "stop_sequence": None}
    usage = {"output_tokens": message["usage"]["output_tokens"]}
    yield _event("message_delta", {"type": "message_delta", "delta": delta, "usage": usage})
    yield _event("message_stop", {"type": "message_stop"})


def _block_events(index: int, block: JSON) -> Iterator[bytes]:
    if block["type"] == "text":
        opening, delta = dict(block, text=""), {"type": "text_delta", "text": block["text"]}
        deltas = [delta]
    else:
        opening = dict(block, input={})
        raw = json.dumps(block["input"])
        half = len(raw) // 2  # split the JSON as the real API does, mid-token
        deltas = [
            {"type": "input_json_delta", "partial_json": part} for part in (raw[:half], raw[half:])
        ]
    yield _event("content_block_start", {"type": "content_block_start", "index": index,
                                         "content_block": opening})  # fmt: skip
    for delta in deltas:
        yield _event("content_block_delta",
                     {"type": "content_block_delta", "index": index, "delta": delta})  # fmt: skip
    yield _event("content_block_stop", {"type": "content_block_stop", "index": index})


def _event(name: str, data: JSON) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def _credentials(request: Request) -> tuple[str, str]:
    """Return the auth style and the key, from either header style."""
    bearer = request.headers.get("Authorization", "")
    if bearer.startswith("Bearer "):
        return "bearer", bearer.removeprefix("Bearer ").strip()
    key = request.headers.get("x-api-key", "")
    return ("x-api-key", key) if key else ("none", "")


def _system_text(body: JSON) -> str:
    system = body.get("system")
    if isinstance(system, str):
        return system
    if isinstance(system, list):
        return "".join(str(b.get("text", "")) for b in system if isinstance(b, dict))
    return ""


def _cached_text(body: JSON) -> str:
    """Return the system text up to and including the last block marked for caching."""
    system = body.get("system")
    if not isinstance(system, list):
        return ""
    marked = [i for i, b in enumerate(system) if isinstance(b, dict) and b.get("cache_control")]
    if not marked:
        return ""
    return "".join(str(b.get("text", "")) for b in system[: marked[-1] + 1])


def _tokens(text: str) -> int:
    return max(1, len(text) // CHARS_PER_TOKEN) if text else 0


def error_response(
    status: int, kind: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """Answer with Anthropic's error body and a request id."""
    request_id = f"req_{secrets.token_hex(12)}"
    body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": request_id}
    response = json_response(body, status, headers)
    response.headers["request-id"] = request_id
    return response


def _with_request_id(response: Response) -> Response:
    response.headers["request-id"] = f"req_{secrets.token_hex(12)}"
    return response
