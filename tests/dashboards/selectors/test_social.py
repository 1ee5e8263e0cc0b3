"""Social selectors against hand-built posts; rates and rankings worked out by hand.

Period 1-2 March 2026 (1 March is a Sunday, so the days fall in two Monday-weeks):
  f1 Facebook  1 Mar  reach 100, impressions 150, engagement 10  (rate 10%)
  f2 Facebook  2 Mar  reach 200, impressions 300, engagement 10  (rate 5%)
  i3 Instagram 2 Mar  reach  50, impressions  80, engagement 20  (rate 40%)
  i4 Instagram 2 Mar  reach   0 (not ranked);  i5 Instagram 10 Mar (outside the period)
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from dashboards.ranges import DateRange
from dashboards.selectors.social import (
    best_and_worst,
    cadence,
    post_rows,
    social_totals,
    totals_of,
)
from integrations.models import Connection, SocialPost

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("America/New_York")
DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2)
PERIOD = DateRange(DAY1, DAY2)


def post(external_id, channel, day, reach, impressions, engagement, hour=12):
    connection, _ = Connection.objects.get_or_create(
        provider="meta", external_account_id="page", display_name="Flux"
    )
    return SocialPost.objects.create(
        connection=connection, channel=channel, external_id=external_id,
        published_at=datetime.combine(day, time(hour), tzinfo=ZONE),
        text=f"Post {external_id}\nmore", reach=reach, impressions=impressions,
        engagement=engagement,
    )  # fmt: skip


def build_posts() -> None:
    """Create the posts described at the top of this module."""
    post("f1", "facebook", DAY1, 100, 150, 10)
    post("f2", "facebook", DAY2, 200, 300, 10)
    post("i3", "instagram", DAY2, 50, 80, 20, hour=13)
    post("i4", "instagram", DAY2, 0, 0, 0, hour=23)  # 23:00 New York is 04:00 UTC on 3 March
    post("i5", "instagram", date(2026, 3, 10), 999, 999, 999)


@pytest.fixture
def posts():
    build_posts()


def test_totals_per_channel_with_engagement_rate(posts):
    facebook, instagram = social_totals(PERIOD)
    assert (facebook.posts, facebook.reach, facebook.impressions, facebook.engagement) == (
        2, 300, 450, 20,
    )  # fmt: skip
    assert facebook.rate == pytest.approx(20 / 300)
    assert (instagram.posts, instagram.reach, instagram.engagement) == (2, 50, 20)
    assert instagram.rate == pytest.approx(0.4)


def test_totals_from_the_posts_already_read_match_the_database_totals(posts):
    assert totals_of(post_rows(PERIOD)) == social_totals(PERIOD)


def test_a_channel_without_posts_is_listed_with_zeros():
    facebook, instagram = social_totals(PERIOD)
    assert (facebook.posts, instagram.posts) == (0, 0)
    assert facebook.rate is None


def test_posts_are_listed_newest_first_with_their_first_line(posts):
    rows = post_rows(PERIOD)
    assert [row.text for row in rows] == ["Post i4", "Post i3", "Post f2", "Post f1"]
    assert rows[2].rate == pytest.approx(0.05)


def test_best_and_worst_rank_by_engagement_rate_and_skip_unreached_posts(posts):
    best, worst = best_and_worst(post_rows(PERIOD))
    assert [row.text for row in best] == ["Post i3", "Post f1"]
    assert [row.text for row in worst] == ["Post f2"]


def test_cadence_counts_posts_per_monday_week_per_channel(posts):
    assert cadence(PERIOD) == {
        date(2026, 2, 23): {"facebook": 1, "instagram": 0},
        date(2026, 3, 2): {"facebook": 1, "instagram": 2},
    }
