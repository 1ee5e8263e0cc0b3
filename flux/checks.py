"""System checks of the core: the key ring must parse before anything is sealed."""

from typing import Any

from django.conf import settings
from django.core import checks

from flux.crypto import KeyRing, KeyRingError


@checks.register(checks.Tags.security)
def check_key_ring(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Refuse a FLUX_KEYS that is not comma-separated id:base64 pairs of 32-byte keys."""
    try:
        KeyRing.from_setting(settings.FLUX_KEYS)
    except KeyRingError as exc:
        return [checks.Error(str(exc), id="flux.E202")]
    return []
