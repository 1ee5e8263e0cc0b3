"""A fixed-window rate limit for the public deletion form, counted per client in the cache."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from flux.hashing import hash_identifier

_RATE = re.compile(r"(\d+)/([smhd])")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    """At most `count` attempts per `seconds`."""

    count: int
    seconds: int


def rate_parse(text: str) -> Rate:
    """Parse a rate like '5/h' (per second, minute, hour or day)."""
    found = _RATE.fullmatch(text.strip())
    if found is None:
        raise ImproperlyConfigured(f"a rate looks like '5/h', not {text!r}")
    return Rate(count=int(found.group(1)), seconds=_SECONDS[found.group(2)])


def client_ip(request: HttpRequest) -> str:
    """Return the client address: the hop the fronting proxy appended, else the socket peer."""
    # Tailscale Funnel appends the real client to X-Forwarded-For; only its last entry is
    # trustworthy, since a client can put anything in the earlier ones.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    last_hop = forwarded.rsplit(",", 1)[-1].strip()
    return last_hop or str(request.META.get("REMOTE_ADDR", ""))


def deletion_form_attempt_allowed(request: HttpRequest) -> bool:
    """Count one attempt for this client and say whether it is within FLUX_DELETION_RATE_LIMIT."""
    rate = rate_parse(settings.FLUX_DELETION_RATE_LIMIT)
    # The cache key holds a keyed hash, never the address itself.
    key = f"privacy:deletion-form:{hash_identifier('ip:' + client_ip(request))}"
    cache.add(key, 0, timeout=rate.seconds)
    try:
        attempts = cache.incr(key)
    except ValueError:  # the window expired between add and incr
        cache.set(key, 1, timeout=rate.seconds)
        attempts = 1
    return attempts <= rate.count
