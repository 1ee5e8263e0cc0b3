"""Seeded randomness, ids and time formatting shared by the brand generator.

Every value comes from a stream named by the seed and a path of parts, so any object can be
rebuilt alone (order 41,002 without orders 0..41,001) and the same seed gives the same brand.
"""

import hashlib
import random
from bisect import bisect_right
from datetime import UTC, datetime
from functools import lru_cache
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000


def stream(seed: int, *parts: object) -> random.Random:
    """Return a private random stream named by `seed` and `parts`."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))


class Weighted(Generic[T]):
    """A fixed table of weighted values, picked with one uniform draw."""

    def __init__(self, pairs: tuple[tuple[T, int], ...]) -> None:
        self.values = tuple(value for value, _ in pairs)
        self.ends = tuple(accumulate(weight for _, weight in pairs))

    def pick(self, draw: float) -> T:
        """Return the value a uniform `draw` in [0, 1) lands on."""
        return self.values[bisect_right(self.ends, draw * self.ends[-1])]


def digest(seed: int, *parts: object) -> bytes:
    """Return 32 bytes fixed by `seed` and `parts`; cheaper than building a stream."""
    key = ":".join(str(p) for p in (seed, *parts)).encode()
    return hashlib.blake2b(key, digest_size=32).digest()


_MASK = 2**64 - 1


@lru_cache(maxsize=256)
def _base(seed: int, tag: str) -> int:
    """Return the 64-bit starting point of the hash family named by `seed` and `tag`."""
    return int.from_bytes(digest(seed, tag)[:8], "big")


def unit(seed: int, tag: str, index: int) -> float:
    """Return a uniform number in [0, 1) fixed by `seed`, `tag` and `index` (splitmix64)."""
    z = (_base(seed, tag) + (index + 1) * 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return ((z ^ (z >> 31)) >> 11) / 2**53


def hex_id(seed: int, length: int, *parts: object) -> str:
    """Return `length` hex digits fixed by `seed` and `parts`."""
    return digest(seed, *parts).hex()[:length]


def uuid_id(seed: int, *parts: object) -> str:
    """Return a version-4-shaped UUID string fixed by `seed` and `parts`."""
    h = digest(seed, *parts).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def to_ms(moment: datetime) -> int:
    """Return the UTC epoch milliseconds of an aware datetime."""
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    """Return the aware UTC datetime of epoch milliseconds."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def iso_ms(ms: int) -> str:
    """Format epoch milliseconds the Squarespace way: ISO-8601 UTC with milliseconds and Z."""
    return from_ms(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def money(minor: int) -> str:
    """Format minor units as a decimal string in major units ("49.99")."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"
