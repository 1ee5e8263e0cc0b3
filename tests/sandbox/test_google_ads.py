"""The Google Ads sandbox: the GAQL parser, the brand's late conversions, partial failures."""

from datetime import date

import pytest

from sandbox.brand.google_ads import GoogleAdsBrand
from sandbox.platforms.google_ads_gaql import QueryError, parse

TODAY = date(2026, 11, 20)


def test_the_parser_reads_a_metrics_query():
    query = parse(
        "SELECT campaign.id, segments.date, metrics.clicks FROM campaign "
        "WHERE segments.date BETWEEN '2026-11-01' AND '2026-11-07' AND campaign.id = 42 "
        "AND campaign.status IN ('ENABLED', 'PAUSED') ORDER BY segments.date DESC LIMIT 5",
        today=TODAY,
    )
    assert query.resource == "campaign"
    assert query.fields == ("campaign.id", "segments.date", "metrics.clicks")
    assert query.date_range() == (date(2026, 11, 1), date(2026, 11, 7))
    assert query.order_by == (("segments.date", True),)
    assert query.limit == 5
    assert query.where[2].values == ("ENABLED", "PAUSED")


def test_during_resolves_against_today():
    query = parse("SELECT campaign.id, segments.date FROM campaign "
                  "WHERE segments.date DURING LAST_7_DAYS", today=TODAY)  # fmt: skip
    assert query.date_range() == (date(2026, 11, 13), date(2026, 11, 19))


MALFORMED = [
    "SELECT FROM campaign",
    "SELECT campaign.id campaign",
    "SELECT a.b FROM c WHERE a.b LIKE 'x'",
    "SELECT a.b FROM c LIMIT -1",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_queries_are_refused(text):
    with pytest.raises(QueryError):
        parse(text, today=TODAY)


def test_late_conversions_arrive_for_thirty_days_then_stop():
    brand = GoogleAdsBrand(seed=3, scale="demo", anchor=TODAY)
    campaign = next(c for c in brand.campaigns if c.status == "ENABLED")
    day = next(d for d in (date(2026, 11, n) for n in range(1, 15)) if brand.day(campaign, d))
    seen = []
    for shift in (0, 5, 25, 40, 60):
        brand.as_of = date.fromordinal(TODAY.toordinal() + shift)
        seen.append(brand.day(campaign, day).conversions_hundredths)  # type: ignore[union-attr]
    assert seen == sorted(seen)
    assert seen[-1] == seen[-2]


def test_the_brand_is_deterministic_per_seed():
    one = GoogleAdsBrand(seed=5, scale="demo", anchor=TODAY)
    two = GoogleAdsBrand(seed=5, scale="demo", anchor=TODAY)
    assert one.customer_id == two.customer_id
    assert one.truth(date(2026, 10, 1), date(2026, 10, 31)) == two.truth(
        date(2026, 10, 1), date(2026, 10, 31)
    )
