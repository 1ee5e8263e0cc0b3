"""Short caching of figures computed from the rollups, correct by construction.

A cached value is keyed on the version of the rollups it was computed from (RollupVersion, which
every refresh moves in the same transaction as the rows it writes), so a refresh makes every
older value unreachable at once, in every process. Before a kind's first refresh nothing is
cached. Values also expire after CACHE_SECONDS, so a deploy that changes how figures are made
is seen within that time.
"""

import hashlib
import logging
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache
from django.utils import timezone

from dashboards.models import RollupVersion

logger = logging.getLogger(__name__)

CACHE_SECONDS = 15 * 60
T = TypeVar("T")


def rollups_changed(kind: str) -> None:
    """Record that the rollups of `kind` changed (call inside the refresh's transaction)."""
    RollupVersion.objects.update_or_create(kind=kind, defaults={"changed_at": timezone.now()})


def cached_on_rollups(kind: str, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """compute(), or what it returned for `key` since the rollups of `kind` last changed."""
    version = RollupVersion.objects.filter(kind=kind).values_list("changed_at", flat=True).first()
    if version is None:
        return compute()
    name = hashlib.sha256(repr((kind, version.isoformat(), key)).encode()).hexdigest()
    name = f"dashboards:{kind}:{name}"
    try:
        found = cache.get(name)
    except Exception:  # an unreadable value (a class changed shape) is computed again
        logger.warning("dashboard cache entry unreadable kind=%s", kind, exc_info=True)
        found = None
    if found is None:
        found = compute()
        cache.set(name, found, CACHE_SECONDS)
    return found  # type: ignore[no-any-return]
