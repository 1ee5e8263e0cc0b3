"""Parse and verify Meta's `signed_request` for the data-deletion callback.

The format is `<base64url(signature)>.<base64url(payload)>`, unpadded. The signature is
HMAC-SHA256 with the app secret over the payload part exactly as received. Every failure raises
SignedRequestError carrying the HTTP status the caller should answer with.
"""

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

MAX_SIGNED_REQUEST_CHARS = 4 * 1024
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_USER_ID = re.compile(r"[0-9]{1,32}")


@dataclass(frozen=True)
class MetaDeletionPayload:
    """The verified part of the callback we use: the app-scoped Meta user id."""

    user_id: str


class SignedRequestError(Exception):
    """The signed_request was missing, malformed, oversized or wrongly signed."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signed_request_parse(raw: str, *, secret: str) -> MetaDeletionPayload:
    """Verify `raw` against the app secret and return its payload, or raise SignedRequestError."""
    if not secret:
        raise SignedRequestError(503, "the data-deletion callback is not configured")
    if len(raw) > MAX_SIGNED_REQUEST_CHARS:
        raise SignedRequestError(413, "signed_request is too large")
    signature_part, dot, payload_part = raw.partition(".")
    if not dot or not _is_base64url(signature_part) or not _is_base64url(payload_part):
        raise SignedRequestError(400, "signed_request is malformed")
    _signature_check(signature_part, payload_part, secret)
    return _payload_parse(_b64url_decode(payload_part))


def _is_base64url(part: str) -> bool:
    return _BASE64URL.fullmatch(part) is not None


def _b64url_decode(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part.rstrip("=") + "=" * (-len(part.rstrip("=")) % 4))
    except (binascii.Error, ValueError) as error:
        raise SignedRequestError(400, "signed_request is not base64url") from error


def _signature_check(signature_part: str, payload_part: str, secret: str) -> None:
    given = _b64url_decode(signature_part)
    expected = hmac.new(secret.encode(), payload_part.encode("ascii"), hashlib.sha256).digest()
    if not hmac.compare_digest(given, expected):
        raise SignedRequestError(403, "signed_request signature does not match")


def _payload_parse(payload: bytes) -> MetaDeletionPayload:
    data = _json_object(payload)
    if data.get("algorithm") != "HMAC-SHA256":
        raise SignedRequestError(400, "signed_request algorithm must be HMAC-SHA256")
    user_id = data.get("user_id")
    if not isinstance(user_id, str) or _USER_ID.fullmatch(user_id) is None:
        raise SignedRequestError(400, "signed_request user_id must be a numeric string")
    return MetaDeletionPayload(user_id=user_id)


def _json_object(payload: bytes) -> dict[str, Any]:
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise SignedRequestError(400, "signed_request payload is not JSON") from error
    if not isinstance(data, dict):
        raise SignedRequestError(400, "signed_request payload is not a JSON object")
    return data
