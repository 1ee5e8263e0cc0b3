"""Social questions over Facebook Page posts and Instagram media (their latest insights)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, QuerySet, Sum

from dashboards.ranges import DateRange
from dashboards.selectors.sales import brand_day_bounds
from integrations.models import SocialChannel, SocialPost

# Best and worst posts are ranked by engagement rate among posts that reached at least this many.
MIN_REACH_TO_RANK = 1
RANKED_POSTS = 3


def engagement_rate(engagement: int, reach: int) -> float | None:
    """Engagement ÷ reach, or None when the post reached no one."""
    return engagement / reach if reach else None


@dataclass(frozen=True)
class ChannelTotals:
    channel: str
    label: str
    posts: int
    reach: int
    impressions: int
    engagement: int

    @property
    def rate(self) -> float | None:
        return engagement_rate(self.engagement, self.reach)


def posts_in(period: DateRange) -> QuerySet[SocialPost]:
    """Posts published on the brand-local days of `period`."""
    start, end = brand_day_bounds(period)
    return SocialPost.objects.filter(published_at__gte=start, published_at__lt=end)


def social_totals(period: DateRange) -> list[ChannelTotals]:
    """Posts, reach, impressions and engagement per channel (every channel listed)."""
    rows = {
        row["channel"]: row
        for row in posts_in(period)
        .values("channel")
        .annotate(
            posts=Count("pk"), reach=Sum("reach"), impressions=Sum("impressions"),
            engagement=Sum("engagement"),
        )
    }  # fmt: skip
    return [
        ChannelTotals(
            channel, label, *(rows.get(channel, {}).get(f) or 0
                              for f in ("posts", "reach", "impressions", "engagement"))
        )
        for channel, label in SocialChannel.choices
    ]  # fmt: skip


@dataclass(frozen=True)
class PostRow:
    """One post's figures; text is the brand's own published copy, shortened."""

    channel: str
    published_at: datetime
    text: str
    media_type: str
    permalink: str
    reach: int
    impressions: int
    engagement: int

    @property
    def rate(self) -> float | None:
        return engagement_rate(self.engagement, self.reach)


POST_FIELDS = ("channel", "published_at", "text", "media_type", "permalink", "reach",
               "impressions", "engagement")  # fmt: skip


def post_rows(period: DateRange) -> list[PostRow]:
    """Every post of `period`, newest first."""
    rows = posts_in(period).order_by("-published_at", "-pk").values(*POST_FIELDS)
    return [PostRow(**{**row, "text": _first_line(row["text"])}) for row in rows]


def _first_line(text: str) -> str:
    return text.splitlines()[0][:90] if text else ""


def best_and_worst(rows: list[PostRow]) -> tuple[list[PostRow], list[PostRow]]:
    """The highest and lowest engagement-rate posts among those with enough reach."""
    ranked = sorted(
        (row for row in rows if row.reach >= MIN_REACH_TO_RANK),
        key=lambda row: (row.rate or 0, row.reach),
        reverse=True,
    )
    # With few posts, split them rather than show one post as both best and worst.
    split = min(RANKED_POSTS, (len(ranked) + 1) // 2)
    best, rest = ranked[:split], ranked[split:]
    worst = rest[::-1][:RANKED_POSTS]
    return best, worst


def cadence(period: DateRange) -> dict[date, dict[str, int]]:
    """Posts per week (weeks start on Monday, brand-local) per channel, every week present."""
    return cadence_of(period, post_rows(period))


def cadence_of(period: DateRange, posts: Iterable[PostRow]) -> dict[date, dict[str, int]]:
    """cadence() of the period's posts, already read."""
    zone = ZoneInfo(settings.FLUX_BRAND_TIME_ZONE)
    weeks = {_monday(day): dict.fromkeys(SocialChannel.values, 0) for day in period.each_day()}
    for post in posts:
        weeks[_monday(post.published_at.astimezone(zone).date())][post.channel] += 1
    return weeks


def totals_of(posts: Iterable[PostRow]) -> list[ChannelTotals]:
    """social_totals() of the period's posts, already read."""
    sums: dict[str, list[int]] = {}
    for post in posts:
        total = sums.setdefault(post.channel, [0, 0, 0, 0])
        total[0] += 1
        total[1] += post.reach
        total[2] += post.impressions
        total[3] += post.engagement
    return [
        ChannelTotals(channel, label, *sums.get(channel, [0, 0, 0, 0]))
        for channel, label in SocialChannel.choices
    ]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
