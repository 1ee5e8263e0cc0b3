"""Organic search selectors and opportunity rules on hand-built Search Console rows."""

from datetime import date, timedelta

import pytest

from dashboards.ranges import DateRange
from dashboards.rollups.search import search_rollups_refresh
from dashboards.selectors.search import (
    cannibalisation,
    ctr_below_benchmark,
    decaying_pages,
    expected_ctr,
    is_brand_query,
    paid_organic_overlap,
    query_figures,
    query_page_figures,
    search_by_day,
    search_totals,
    striking_distance,
    top_pages,
    totals_of,
    weeks_within,
)
from integrations.models import Connection, SearchDay, SearchProperty, SearchTermDay
from integrations.models.search import SearchQueryPageDay
from tests.dashboards.selectors.test_ads import make_campaign

pytestmark = pytest.mark.django_db

DAY1 = date(2026, 3, 1)
PERIOD = DateRange(DAY1, DAY1 + timedelta(days=1))
BRAND = ["flux engineering", "flux"]


class Rows:
    """Search Console rows written through the same rollup the sync rebuilds."""

    def __init__(self):
        connection = Connection.objects.create(
            provider="search_console", external_account_id="sc", display_name="sc"
        )
        self.prop = SearchProperty.objects.create(connection=connection, site_url="sc-domain:x")
        self.days = set()

    def add(self, query, page, impressions, clicks=0, position=1.0, *, day=DAY1, **extra):
        key = f"{query}|{page}|{extra.get('country', 'usa')}|{day}"
        SearchDay.objects.create(
            search_property=self.prop, day=day, query=query, page=page,
            country=extra.get("country", "usa"), device="MOBILE", row_key=key[:40],
            clicks=clicks, impressions=impressions, position=position,
            fresh=extra.get("fresh", False),
        )  # fmt: skip
        self.days.add(day)
        return self

    def rolled(self):
        for day in self.days:
            SearchQueryPageDay.objects.rebuild(self.prop.pk, day)
        search_rollups_refresh()  # as every Search Console sync does
        return self


@pytest.fixture
def rows():
    return Rows()


def by_query(period=PERIOD):
    return {q.query: q for q in query_figures(period)}


def test_position_is_weighted_by_impressions_across_rows(rows):
    rows.add("lamp", "/lamp", 300, 30, 2.0, country="usa")
    rows.add("lamp", "/lamp", 100, 2, 6.0, country="gbr").rolled()
    lamp = by_query()["lamp"]
    assert lamp.position == 3.0  # (2 x 300 + 6 x 100) / 400, not the plain mean 4.0
    assert lamp.ctr == 32 / 400
    totals = search_totals(PERIOD)
    assert (totals.clicks, totals.impressions, totals.position) == (32, 400, 3.0)


def test_fresh_days_are_counted_and_marked(rows):
    rows.add("lamp", "/lamp", 100, 10, 2.0)
    rows.add("lamp", "/lamp", 50, 5, 4.0, day=DAY1 + timedelta(days=1), fresh=True).rolled()
    assert search_totals(PERIOD).fresh_days == 1
    days = search_by_day(PERIOD)
    assert [(d.day, d.fresh, d.clicks) for d in days] == [
        (DAY1, False, 10),
        (DAY1 + timedelta(days=1), True, 5),
    ]
    assert search_totals(PERIOD).position == (2.0 * 100 + 4.0 * 50) / 150


def test_top_pages_sum_their_queries(rows):
    rows.add("a", "/one", 100, 10).add("b", "/one", 50, 5).add("c", "/two", 500, 12).rolled()
    assert [(p.page, p.clicks, p.impressions) for p in top_pages(PERIOD)] == [
        ("/one", 15, 150),
        ("/two", 12, 500),
    ]


def test_striking_distance_takes_positions_8_to_20_inclusive_with_enough_impressions(rows):
    rows.add("at eight", "/p", 100, 1, 8.0).add("at twenty", "/p", 100, 1, 20.0)
    rows.add("too high", "/p", 100, 1, 7.9).add("too deep", "/p", 100, 1, 20.1)
    rows.add("too rare", "/p", 99, 1, 12.0).add("influx meter", "/p", 150, 1, 12.0)
    rows.add("flux engineering kit", "/p", 900, 1, 10.0).add("Flux lamp", "/p", 900, 1, 9.0)
    rows.rolled()
    found = [q.query for q in striking_distance(query_figures(PERIOD), BRAND)]
    assert found == ["influx meter", "at eight", "at twenty"]  # most impressions first


def test_brand_terms_match_whole_words_only():
    assert is_brand_query("Flux Engineering gift", BRAND)
    assert is_brand_query("flux", BRAND)
    assert not is_brand_query("influx meter", BRAND)
    assert not is_brand_query("fluxes", BRAND)


def test_brand_terms_come_from_the_setting(settings):
    settings.FLUX_BRAND_TERMS = ["acme"]
    assert is_brand_query("acme lamp")
    assert not is_brand_query("flux lamp")


def test_the_expected_ctr_rounds_the_position_half_up():
    assert expected_ctr(1.49) == 0.28
    assert expected_ctr(1.5) == 0.15
    assert expected_ctr(10.49) == 0.02
    assert expected_ctr(10.5) is None  # no benchmark past position 10


def test_ctr_below_half_the_benchmark_is_flagged_and_exactly_half_is_not(rows):
    rows.add("under", "/p", 1000, 139, 1.0)  # 13.9% < 50% of 28%
    rows.add("at half", "/p", 1000, 140, 1.0)  # 14.0%: exactly half, not flagged
    rows.add("too rare", "/p", 199, 0, 1.0)  # not enough impressions
    rows.add("deep", "/p", 1000, 0, 11.0)  # no benchmark
    rows.add("second", "/p", 400, 29, 2.0).rolled()  # 7.25% < 7.5% (half of 15%)
    found = [(s.figures.query, s.expected) for s in ctr_below_benchmark(query_figures(PERIOD))]
    assert found == [("under", 0.28), ("second", 0.15)]


def test_cannibalisation_lists_every_page_with_its_share(rows):
    rows.add("gift", "/a", 60, 3, 4.0).add("gift", "/b", 30, 1, 6.0).add("gift", "/c", 10)
    rows.add("solo", "/a", 91).add("solo", "/b", 9)  # /b under 10%: one real page
    rows.add("small", "/a", 50).add("small", "/b", 49)  # 99 impressions: too few
    rows.rolled()
    found = cannibalisation(query_page_figures(PERIOD))
    assert [c.query for c in found] == ["gift"]
    gift = found[0]
    assert gift.impressions == 100
    assert [(s.page, s.share) for s in gift.pages] == [("/a", 0.6), ("/b", 0.3), ("/c", 0.1)]


def test_a_page_at_exactly_the_minimum_share_counts(rows):
    rows.add("pair", "/a", 90).add("pair", "/b", 10).rolled()
    assert [c.query for c in cannibalisation(query_page_figures(PERIOD))] == ["pair"]


def test_decaying_pages_compare_the_period_with_the_equal_window_before(rows):
    before, now = DAY1 - timedelta(days=2), DAY1
    rows.add("q", "/decaying", 500, 20, day=before).add("q", "/decaying", 500, 13, day=now)
    rows.add("q", "/exactly-30", 500, 20, day=before).add("q", "/exactly-30", 500, 14, day=now)
    rows.add("q", "/small", 500, 19, day=before)  # under the 20-click base
    rows.add("q", "/gone", 500, 40, day=before)  # no clicks at all now
    rows.add("q", "/growing", 500, 20, day=before).add("q", "/growing", 500, 30, day=now)
    rows.add("q", "/older", 500, 99, day=before - timedelta(days=1)).rolled()  # outside both
    found = {p.page: p for p in decaying_pages(PERIOD)}
    assert list(found) == ["/gone", "/decaying"]  # steepest fall first
    assert found["/decaying"].change == 13 / 20 - 1  # -35%
    assert (found["/gone"].clicks_before, found["/gone"].clicks_now) == (40, 0)


def test_paid_terms_already_in_the_organic_top_three_are_listed_with_their_spend(rows):
    rows.add("flux engineering", "/", 500, 100, 1.5).add("flux lamp", "/lamp", 100, 9, 3.0)
    rows.add("lamp", "/lamp", 100, 9, 3.1).rolled()
    usd = make_campaign("google_ads", "Brand", "USD")
    jpy = make_campaign("google_ads", "Japan", "JPY")
    for campaign, term, clicks, cost, day in [
        (usd, "Flux Engineering", 4, 2_000_000, DAY1),
        (usd, "flux engineering", 1, 1_000_000, DAY1 + timedelta(days=1)),
        (usd, "Flux Lamp", 2, 500_000, DAY1),
        (usd, "lamp", 9, 9_000_000, DAY1),  # ranks 3.1: not in the top 3
        (usd, "flux lamp", 7, 7_000_000, DAY1 - timedelta(days=1)),  # outside the period
        (jpy, "flux engineering", 3, 300_000_000, DAY1),
    ]:
        SearchTermDay.objects.create(
            campaign=campaign, day=day, search_term=term, term_key=f"{term}{day}{campaign.pk}",
            clicks=clicks, cost_micros=cost,
        )  # fmt: skip
    found = paid_organic_overlap(PERIOD, query_figures(PERIOD))
    assert [(o.term, o.currency, o.ad_clicks, o.ad_cost_micros, o.organic_position)
            for o in found] == [
        ("flux engineering", "JPY", 3, 300_000_000, 1.5),
        ("flux engineering", "USD", 5, 3_000_000, 1.5),
        ("flux lamp", "USD", 2, 500_000, 3.0),
    ]  # fmt: skip


def test_totals_from_days_match_the_database_totals(rows):
    rows.add("a", "/one", 100, 10, 2.0).add("b", "/two", 300, 5, 4.0)
    rows.add("a", "/one", 50, 1, 9.0, day=DAY1 + timedelta(days=1), fresh=True).rolled()
    assert totals_of(search_by_day(PERIOD)) == search_totals(PERIOD)
    assert search_totals(PERIOD).position == (200 + 1200 + 450) / 450


def test_an_empty_period_has_no_figures():
    totals = search_totals(PERIOD)
    assert (totals.clicks, totals.ctr, totals.position) == (0, None, None)
    assert search_by_day(PERIOD) == []


def test_a_range_is_its_whole_weeks_and_the_days_around_them():
    wednesday, tuesday = date(2026, 2, 25), date(2026, 3, 17)
    mondays, edges = weeks_within(DateRange(wednesday, tuesday))
    assert mondays == [date(2026, 3, 2), date(2026, 3, 9)]
    assert edges == [DateRange(wednesday, date(2026, 3, 1)), DateRange(date(2026, 3, 16), tuesday)]
    assert weeks_within(DateRange(date(2026, 3, 2), date(2026, 3, 8))) == ([date(2026, 3, 2)], [])
    six_days = DateRange(date(2026, 3, 3), date(2026, 3, 8))
    assert weeks_within(six_days) == ([], [six_days])


def test_whole_weeks_and_loose_days_sum_to_the_same_figures(rows):
    # Sunday 1 March, the week of 2-8 March (read from the weekly rollup), Monday 9 March.
    for offset, clicks, position in [(0, 1, 2.0), (1, 10, 4.0), (4, 20, 6.0), (7, 30, 8.0),
                                     (8, 100, 1.0)]:  # fmt: skip
        rows.add("lamp", "/lamp", 100, clicks, position, day=DAY1 + timedelta(days=offset))
    rows.add("lamp", "/guide", 50, 5, 3.0, day=DAY1 + timedelta(days=3))
    rows.add("old", "/old", 80, 40, day=date(2026, 3, 3)).add(
        "old", "/old", 80, 10, day=date(2026, 3, 10)
    )
    rows.rolled()
    period = DateRange(DAY1, DAY1 + timedelta(days=8))
    pairs = {(p.query, p.page): p for p in query_page_figures(period)}
    lamp = pairs[("lamp", "/lamp")]
    assert (lamp.clicks, lamp.impressions) == (161, 500)
    assert lamp.position == (2.0 + 4.0 + 6.0 + 8.0 + 1.0) * 100 / 500
    assert (pairs[("lamp", "/guide")].clicks, pairs[("old", "/old")].clicks) == (5, 40)
    assert search_totals(period).clicks == 161 + 5 + 40
    # 9-15 March against 2-8 March, both whole weeks: /old fell from 40 to 10, /lamp grew.
    found = decaying_pages(DateRange(date(2026, 3, 9), date(2026, 3, 15)))
    assert [(p.page, p.clicks_before, p.clicks_now) for p in found] == [("/old", 40, 10)]
