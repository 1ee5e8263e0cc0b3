"""The calendar's month and week grids, in the brand's time zone, filled with posts."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from social.forms import brand_zone
from social.models import Post

WEEK_HOURS = range(6, 23)  # the hours the week view shows; posts outside sit in the edge rows


@dataclass
class Cell:
    """One day (month view) or one hour of a day (week view) and the posts in it."""

    day: date
    hour: int | None = None
    in_month: bool = True
    posts: list[Post] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        """Say whether the cell is on the brand's today."""
        return self.day == timezone.now().astimezone(brand_zone()).date()


def local_day(moment: datetime) -> date:
    """Return the brand-local day of a UTC time."""
    return moment.astimezone(brand_zone()).date()


def posts_in(start: date, end: date) -> list[Post]:
    """Return posts scheduled on brand-local days start..end (exclusive), with their channels."""
    zone = brand_zone()
    lower = datetime.combine(start, time(), zone)
    upper = datetime.combine(end, time(), zone)
    return list(
        Post.objects.filter(scheduled_at__gte=lower, scheduled_at__lt=upper)
        .prefetch_related("targets")
        .order_by("scheduled_at", "pk")
    )


def month_grid(anchor: date) -> list[list[Cell]]:
    """Return the month of `anchor` as weeks (Monday first) of day cells."""
    first = anchor.replace(day=1)
    start = first - timedelta(days=first.weekday())
    end = start + timedelta(weeks=6)
    by_day: dict[date, list[Post]] = defaultdict(list)
    for post in posts_in(start, end):
        assert post.scheduled_at is not None  # noqa: S101 - filtered on it
        by_day[local_day(post.scheduled_at)].append(post)
    days = [start + timedelta(days=n) for n in range(42)]
    cells = [Cell(d, None, d.month == first.month, by_day[d]) for d in days]
    weeks = [cells[n : n + 7] for n in range(0, 42, 7)]
    return [w for w in weeks if any(c.in_month for c in w)]


def week_grid(anchor: date) -> tuple[list[date], list[list[Cell]]]:
    """Return the week of `anchor` (Monday first) and its hour rows of cells."""
    start = anchor - timedelta(days=anchor.weekday())
    days = [start + timedelta(days=n) for n in range(7)]
    slots: dict[tuple[date, int], list[Post]] = defaultdict(list)
    for post in posts_in(start, start + timedelta(days=7)):
        assert post.scheduled_at is not None  # noqa: S101 - filtered on it
        local = post.scheduled_at.astimezone(brand_zone())
        hour = min(max(local.hour, WEEK_HOURS[0]), WEEK_HOURS[-1])
        slots[(local.date(), hour)].append(post)
    rows = [[Cell(d, h, True, slots[(d, h)]) for d in days] for h in WEEK_HOURS]
    return days, rows


def moved_time(post: Post, day: date, hour: int | None) -> datetime:
    """Return the post's time moved to `day` (and `hour`), keeping what is not given."""
    zone = brand_zone()
    current = post.scheduled_at.astimezone(zone) if post.scheduled_at else None
    clock = current.time() if current else time(10)
    if hour is not None:
        clock = clock.replace(hour=hour)
    return datetime.combine(day, clock, zone)
