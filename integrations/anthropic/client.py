"""Call Claude through the official `anthropic` SDK, one client per call, every attempt recorded.

The SDK client is made at call time (never at import, never shared across a fork) with
base_url=settings.ANTHROPIC_BASE_URL and the connection's key. The SDK itself retries 429,
529 and other 5xx answers, at most FLUX_AI_SDK_MAX_RETRIES times, honouring retry-after.
An overload that arrives in the middle of a stream (an SSE `error` event after a 200) is
beyond the SDK's reach, so `message_stream` retries the whole call, at most
FLUX_AI_STREAM_ATTEMPTS times. A middleware notes every HTTP attempt (status, request id)
and every broken stream, so the caller can store them with the call.
"""

from dataclasses import dataclass, field
from typing import Any

import anthropic
from anthropic._middleware import CallNext
from anthropic._request import APIRequest
from anthropic._response import APIResponse
from anthropic.types import Message
from django.conf import settings

from integrations.http import AuthError, PermanentError, TransientError

PROVIDER = "anthropic"
JSON = dict[str, Any]


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt: its status and request id; `error` for a stream that broke off."""

    status: int
    request_id: str = ""
    error: str = ""

    def as_json(self) -> JSON:
        """Return the attempt as plain JSON for the call log."""
        return {"status": self.status, "request_id": self.request_id, "error": self.error}


@dataclass
class AttemptLog:
    """The attempts of one logical call, filled in by the SDK middleware."""

    attempts: list[Attempt] = field(default_factory=list)

    def __call__(self, request: APIRequest, call_next: CallNext) -> APIResponse[Any]:
        response = call_next(request)
        request_id = response.headers.get("request-id", "")
        self.attempts.append(Attempt(response.status_code, request_id))
        return response


class ClaudeCallFailed(Exception):
    """A call failed for good: `attempts` holds what was tried; `permanent`: retrying won't help."""

    def __init__(self, message: str, *, attempts: list[Attempt], permanent: bool) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.permanent = permanent


@dataclass(frozen=True)
class Reply:
    """A finished message and the attempts it took."""

    message: Message
    attempts: list[Attempt]


def claude(*, api_key: str, log: AttemptLog | None = None) -> anthropic.Anthropic:
    """Return an SDK client for one call, pointed at ANTHROPIC_BASE_URL, retries bounded."""
    return anthropic.Anthropic(
        api_key=api_key,
        base_url=str(settings.ANTHROPIC_BASE_URL),
        max_retries=int(settings.FLUX_AI_SDK_MAX_RETRIES),
        timeout=float(settings.FLUX_AI_TIMEOUT_SECONDS),
        middleware=[log] if log is not None else None,
    )


def key_check(*, api_key: str) -> None:
    """Make one cheap authenticated read (list the models); raise AuthError if refused."""
    try:
        claude(api_key=api_key).models.list(limit=1)
    except anthropic.AuthenticationError as error:
        raise AuthError("the API key was refused", provider=PROVIDER, status=401) from error
    except anthropic.APIStatusError as error:
        raise PermanentError(
            _describe(error), provider=PROVIDER, status=error.status_code
        ) from error
    except anthropic.APIConnectionError as error:
        raise TransientError("Anthropic did not answer", provider=PROVIDER) from error


def message_stream(*, api_key: str, request: JSON) -> Reply:
    """Stream one message; retry the call when a stream breaks off overloaded, within bounds."""
    log = AttemptLog()
    limit = max(1, int(settings.FLUX_AI_STREAM_ATTEMPTS))
    for attempt in range(1, limit + 1):
        try:
            return Reply(_stream_once(api_key, request, log), log.attempts)
        except anthropic.APIStatusError as error:
            if not _overloaded_mid_stream(error) or attempt == limit:
                raise _failed(error, log) from error
            log.attempts.append(Attempt(error.status_code, error.request_id or "", "overloaded"))
        except anthropic.APIError as error:
            raise _failed(error, log) from error
        except (AssertionError, ValueError, RuntimeError) as error:
            # The SDK's stream parser raises these on a body that is not the event sequence.
            message = f"malformed answer ({type(error).__name__})"
            raise ClaudeCallFailed(message, attempts=log.attempts, permanent=False) from error
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def _stream_once(api_key: str, request: JSON, log: AttemptLog) -> Message:
    client = claude(api_key=api_key, log=log)
    with client.messages.stream(**request) as stream:
        return stream.get_final_message()


def _overloaded_mid_stream(error: anthropic.APIStatusError) -> bool:
    """Say whether the error came as an SSE event in a stream that had started (HTTP 200)."""
    return error.status_code == 200 and _error_type(error) == "overloaded_error"


def _error_type(error: anthropic.APIError) -> str:
    body = error.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("type", ""))
    return ""


def _failed(error: anthropic.APIError, log: AttemptLog) -> ClaudeCallFailed:
    if isinstance(error, anthropic.APIStatusError) and error.status_code == 200:
        log.attempts.append(Attempt(200, error.request_id or "", _error_type(error) or "error"))
    permanent = isinstance(error, anthropic.APIStatusError) and _is_permanent(error.status_code)
    return ClaudeCallFailed(_describe(error), attempts=log.attempts, permanent=permanent)


def _is_permanent(status: int) -> bool:
    return 400 <= status < 500 and status not in (408, 409, 429)


def _describe(error: anthropic.APIError) -> str:
    """Name the failure without echoing a body that might quote the prompt."""
    kind = _error_type(error) or type(error).__name__
    status = getattr(error, "status_code", None)
    return f"{kind} (HTTP {status})" if status else kind
