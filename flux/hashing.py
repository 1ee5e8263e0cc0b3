"""The one way an email address (or another personal identifier) enters the database."""

import hashlib
import hmac

from django.conf import settings


def hash_email(email: str) -> str:
    """Return the keyed hash of an email: trimmed, lowercased, HMAC-SHA256 with FLUX_HASH_KEY."""
    return hash_identifier(email.strip().lower())


def hash_identifier(value: str) -> str:
    """Return HMAC-SHA256(FLUX_HASH_KEY, value) as hex; for ids that must not be stored plain."""
    key = settings.FLUX_HASH_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
