"""Short caching of figures computed from the rollups, correct by construction.

A cached value is keyed on the versions of the rollups it was computed from (RollupVersion:
every refresh moves its kind's version in the same transaction as the rows it writes), so a
refresh makes every older value unreachable at once, in every process. Until each kind a value
needs has been refreshed once, nothing is cached. Keys also carry a digest of the code that
makes and reads the values, so after a deploy that changes it no value cached by the old code
is read (an old value unpickled into a class of another shape would be wrong, not an error).
Values expire after CACHE_SECONDS.

Only what the rollups determine is cached; what people edit (the catalog, campaign statuses,
stock) is read fresh on every request.
"""

import hashlib
import logging
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

from django.core.cache import cache
from django.utils import timezone

from dashboards.models import RollupVersion

logger = logging.getLogger(__name__)

CACHE_SECONDS = 15 * 60
T = TypeVar("T")


def _code_digest() -> str:
    """A digest of the selectors, models, ranges and this module: what cached values are."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    made_of = [*here.glob("selectors/*.py"), *(here / n for n in ("models.py", "ranges.py"))]
    for path in sorted([*made_of, here / "cache.py"]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE_DIGEST = _code_digest()


def rollups_changed(kind: str) -> None:
    """Record that the rollups of `kind` changed (call inside the refresh's transaction)."""
    RollupVersion.objects.update_or_create(kind=kind, defaults={"changed_at": timezone.now()})


def cached_on_rollups(
    kinds: tuple[str, ...], key: tuple[Hashable, ...], compute: Callable[[], T]
) -> T:
    """compute(), or what it returned for `key` since the rollups of `kinds` last changed."""
    versions = dict(RollupVersion.objects.filter(kind__in=kinds).values_list("kind", "changed_at"))
    if len(versions) < len(kinds):
        return compute()
    stamp = tuple(versions[kind].isoformat() for kind in kinds)
    found_key = repr((CODE_DIGEST, kinds, stamp, key)).encode()
    name = "dashboards:" + hashlib.sha256(found_key).hexdigest()
    try:
        found = cache.get(name)
    except Exception:  # an unreadable value (a class changed shape) is computed again
        logger.warning("dashboard cache entry unreadable kinds=%s", kinds, exc_info=True)
        found = None
    if found is None:
        found = compute()
        cache.set(name, found, CACHE_SECONDS)
    return found  # type: ignore[no-any-return]
