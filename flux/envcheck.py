"""Refuse a production start on missing or weak secrets, with a one-line reason."""

import base64
import binascii
from urllib.parse import urlsplit

MIN_SECRET_KEY_LENGTH = 50
MIN_HASH_KEY_LENGTH = 32
KEK_BYTES = 32


def origin_of(url: str) -> str:
    """Return scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def production_problems(
    *,
    secret_key: str,
    flux_keys: str,
    hash_key: str,
    allowed_hosts: list[str],
    public_url: str,
) -> list[str]:
    """List every reason the given configuration is unfit for production."""
    problems = [
        *_secret_key_problems(secret_key),
        *_key_ring_problems(flux_keys),
        *_hash_key_problems(hash_key),
    ]
    if not allowed_hosts or "*" in allowed_hosts:
        problems.append("ALLOWED_HOSTS is missing or allows every host ('*')")
    if not public_url.startswith("https://") or not urlsplit(public_url).hostname:
        problems.append("FLUX_PUBLIC_URL is missing or not an https:// URL")
    return problems


def _secret_key_problems(secret_key: str) -> list[str]:
    if (
        len(secret_key) < MIN_SECRET_KEY_LENGTH
        or len(set(secret_key)) < 5
        or secret_key.startswith("django-insecure")
    ):
        return [f"SECRET_KEY is missing or weak (needs {MIN_SECRET_KEY_LENGTH}+ random characters)"]
    return []


def _hash_key_problems(hash_key: str) -> list[str]:
    if len(hash_key) < MIN_HASH_KEY_LENGTH or hash_key.startswith("dev-only"):
        return [f"FLUX_HASH_KEY is missing or weak (needs {MIN_HASH_KEY_LENGTH}+ characters)"]
    return []


def _key_ring_problems(flux_keys: str) -> list[str]:
    entries = [entry.strip() for entry in flux_keys.split(",") if entry.strip()]
    if not entries:
        return ["FLUX_KEYS is missing (comma-separated id:base64 pairs of 32-byte keys)"]
    for entry in entries:
        key_id, _, encoded = entry.partition(":")
        if not key_id or key_id.startswith("dev") or _decoded_length(encoded) != KEK_BYTES:
            return [f"FLUX_KEYS entry '{key_id}' is not a 32-byte base64 key with a non-dev id"]
    return []


def _decoded_length(encoded: str) -> int:
    try:
        return len(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        return -1
