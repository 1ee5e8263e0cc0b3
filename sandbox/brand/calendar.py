"""When orders happen: 18 months of days weighted by season and weekday, ending at the anchor.

Orders are numbered in time order. Day d holds a fixed count of orders (the expected share of
the total, rounded by largest remainder), so order i's day is a bisection away and its time of
day a hash away: no order has to be drawn to place another.
"""

from array import array
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.brand.seeds import DAY_MS, from_ms, unit

SPAN_DAYS = 548  # 18 months
# Q4 gifting peak, summer dip (engineering gifts sell for holidays and graduations).
_MONTH = {1: 0.85, 2: 0.8, 3: 0.9, 4: 0.92, 5: 1.0, 6: 0.72, 7: 0.66, 8: 0.7, 9: 0.92,
          10: 1.1, 11: 1.7, 12: 2.0}  # fmt: skip
_WEEKDAY = (1.12, 1.08, 1.04, 1.0, 0.94, 0.8, 0.88)  # Monday first: desk-bound buyers


@dataclass(frozen=True)
class Calendar:
    """Order counts per day and the times they imply."""

    seed: int
    start_ms: int
    anchor_ms: int
    day_ends: "array[int]"  # cumulative order count at the end of each day

    @property
    def total(self) -> int:
        """Return the number of orders in the calendar."""
        return int(self.day_ends[-1])

    def created_ms(self, index: int) -> int:
        """Return when order `index` was placed."""
        day = bisect_right(self.day_ends, index)
        first = int(self.day_ends[day - 1]) if day else 0
        count = int(self.day_ends[day]) - first
        day_start = self.start_ms + day * DAY_MS
        span = min(DAY_MS, self.anchor_ms - day_start)
        jitter = 0.1 + 0.8 * unit(self.seed, "time", index)
        return day_start + int((index - first + jitter) / count * span)


def calendar_build(*, seed: int, anchor_ms: int, total: int) -> Calendar:
    """Spread `total` orders over the 18 months before `anchor_ms`."""
    start_ms = anchor_ms - SPAN_DAYS * DAY_MS
    weights = [_day_weight(from_ms(start_ms + d * DAY_MS), d) for d in range(SPAN_DAYS)]
    counts = _largest_remainder(weights, total)
    ends = array("q")
    running = 0
    for count in counts:
        running += count
        ends.append(running)
    return Calendar(seed, start_ms, anchor_ms, ends)


def _day_weight(day: datetime, index: int) -> float:
    """Return the relative order volume of one day, growing slowly over the span."""
    growth = 0.8 + 0.4 * index / SPAN_DAYS
    return _MONTH[day.month] * _WEEKDAY[day.weekday()] * growth


def _largest_remainder(weights: list[float], total: int) -> list[int]:
    """Round `total * share` per weight so the counts add up to `total` exactly."""
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda d: (counts[d] - exact[d], d))
    for d in by_remainder[: total - sum(counts)]:
        counts[d] += 1
    return counts


def business_cutoff(anchor: datetime, days: int = 2) -> datetime:
    """Return the moment `days` business days (Mon-Fri) before `anchor`."""
    moment = anchor
    counted = 0
    while counted < days:
        moment -= timedelta(days=1)
        counted += moment.weekday() < 5
    return moment
