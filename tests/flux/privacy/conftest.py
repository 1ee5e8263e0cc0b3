"""Fixtures for the privacy tests: a clean rate-limit cache and Meta signed requests."""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache

META_SECRET = "test-meta-app-secret"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Start and end each test with empty rate-limit counters."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def meta_secret(settings: Any) -> str:
    settings.META_APP_SECRET = META_SECRET
    return META_SECRET


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_payload_part(payload_part: str, secret: str = META_SECRET) -> str:
    digest = hmac.new(secret.encode(), payload_part.encode(), hashlib.sha256).digest()
    return f"{b64url(digest)}.{payload_part}"


def signed_request(payload: Any, secret: str = META_SECRET) -> str:
    """Build a signed_request the way Meta does: sig.payload, both unpadded base64url."""
    return sign_payload_part(b64url(json.dumps(payload).encode()), secret)


@pytest.fixture
def make_signed_request(meta_secret: str) -> Callable[..., str]:
    def build(user_id: str = "1234567890", **extra: Any) -> str:
        payload = {"algorithm": "HMAC-SHA256", "issued_at": 1_790_000_000, "user_id": user_id}
        return signed_request({**payload, **extra}, meta_secret)

    return build
