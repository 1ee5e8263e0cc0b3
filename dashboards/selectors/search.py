"""Organic search questions over the rollups of Search Console rows.

Totals and days read the daily totals; query × page sums read the whole weeks of a range from
the weekly rollup and only the days around them from the daily one (dashboards.models).

Positions are impression-weighted: Σ(position × impressions) ÷ Σ impressions, because each
Search Console row's position is already an average over its impressions. The opportunity
rules below are pure functions over aggregates; their thresholds are the constants here, and
the page prints them beside each report.
"""

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Lower

from dashboards.cache import cached_on_rollups
from dashboards.models import SearchDayTotal, SearchQueryPageWeek
from dashboards.ranges import DateRange
from integrations.models import SearchTermDay
from integrations.models.search import SearchQueryPageDay

TOP_ROWS = 25
# Striking distance: ranking just off (or low on) page one, with enough demand to matter.
STRIKING_POSITIONS = (8.0, 20.0)  # inclusive
STRIKING_MIN_IMPRESSIONS = 100
# Expected CTR by rounded position (a typical organic click curve); deeper positions have none.
EXPECTED_CTR = {1: 0.28, 2: 0.15, 3: 0.10, 4: 0.07, 5: 0.05, 6: 0.04, 7: 0.03, 8: 0.025,
                9: 0.02, 10: 0.02}  # fmt: skip
CTR_SHORTFALL = 0.5  # flag a CTR under half of the expected one
CTR_MIN_IMPRESSIONS = 200
# Cannibalisation: a query whose impressions split between pages.
CANNIBAL_MIN_IMPRESSIONS = 100
CANNIBAL_MIN_SHARE_PERCENT = 10  # a page counts once it has this share of the impressions
# Decaying pages: clicks over the period against the equal window just before it.
DECAY_DROP_PERCENT = 30  # fell by more than this
DECAY_MIN_CLICKS = 20  # clicks in the earlier window
# Paid/organic overlap: ads bought on queries already ranking this well organically.
OVERLAP_MAX_POSITION = 3.0

FIGURES = ("clicks", "impressions", "position_impressions")


@dataclass(frozen=True, slots=True)
class SearchFigures:
    """Clicks, impressions and the weighted position of any grouping of rows.

    Slotted, as every figure class here: a report holds thousands, built or unpickled per
    request, and fewer objects mean fewer long garbage-collector pauses.
    """

    clicks: int = 0
    impressions: int = 0
    position_impressions: float = 0.0

    @property
    def ctr(self) -> float | None:
        return self.clicks / self.impressions if self.impressions else None

    @property
    def position(self) -> float | None:
        return self.position_impressions / self.impressions if self.impressions else None


@dataclass(frozen=True, slots=True)
class SearchTotals(SearchFigures):
    fresh_days: int = 0  # days whose numbers Google may still revise


@dataclass(frozen=True, slots=True)
class DayFigures(SearchFigures):
    day: date = date.min
    fresh: bool = False


@dataclass(frozen=True, slots=True)
class QueryFigures(SearchFigures):
    query: str = ""


@dataclass(frozen=True, slots=True)
class PageFigures(SearchFigures):
    page: str = ""


@dataclass(frozen=True, slots=True)
class QueryPageFigures(SearchFigures):
    query: str = ""
    page: str = ""


def search_totals(period: DateRange) -> SearchTotals:
    """Clicks, impressions, CTR and weighted position over `period`, with its fresh days."""
    row = _day_totals(period).aggregate(
        **{f"sum_{name}": Sum(name, default=0) for name in FIGURES},
        fresh_days=Count("day", filter=Q(fresh_rows__gt=0)),
    )
    clicks, impressions, weighted = (row[f"sum_{name}"] for name in FIGURES)
    return SearchTotals(clicks, impressions, weighted, fresh_days=row["fresh_days"])


def search_by_day(period: DateRange) -> list[DayFigures]:
    """Figures per day that has data, oldest first; a day is fresh if any of it is."""
    rows = _day_totals(period).order_by("day").values_list("day", *FIGURES, "fresh_rows")
    return [DayFigures(c, i, p, day=day, fresh=fresh > 0) for day, c, i, p, fresh in rows]


def _day_totals(period: DateRange) -> QuerySet[SearchDayTotal]:
    return SearchDayTotal.objects.filter(day__gte=period.start, day__lte=period.end)


def query_page_figures(period: DateRange) -> list[QueryPageFigures]:
    """Every query x page pair of `period`: what the query and page lists sum up."""
    found = _summed_by(period, ("query", "page"))
    return [QueryPageFigures(c, i, p, query=q, page=page) for (q, page), (c, i, p) in found.items()]


def _summed_by(
    period: DateRange, fields: tuple[str, ...], names: tuple[str, ...] = FIGURES
) -> dict[tuple[str, ...], list[Any]]:
    """Sum the figures `names` of `period` by `fields`: whole weeks, then the days around them."""
    mondays, edges = weeks_within(period)
    parts: list[QuerySet[Any]] = []
    if edges:
        days = reduce(or_, (Q(day__gte=edge.start, day__lte=edge.end) for edge in edges))
        parts.append(SearchQueryPageDay.objects.filter(days))
    if mondays:
        parts.append(
            SearchQueryPageWeek.objects.filter(week__gte=mondays[0], week__lte=mondays[-1])
        )
    found: dict[tuple[str, ...], list[Any]] = {}
    width = len(fields)
    for part in parts:
        rows = part.values_list(*fields).annotate(**{f"sum_{n}": Sum(n) for n in names})
        for row in rows.order_by():
            key, values = row[:width], [value or 0 for value in row[width:]]
            total = found.get(key)
            found[key] = (
                values if total is None else [a + b for a, b in zip(total, values, strict=True)]
            )
    return found


def weeks_within(period: DateRange) -> tuple[list[date], list[DateRange]]:
    """The Mondays of the whole weeks inside `period`, and the ranges of days around them."""
    first = period.start + timedelta(days=-period.start.weekday() % 7)  # a Monday
    last = period.end - timedelta(days=(period.end.weekday() + 1) % 7)  # a Sunday
    if last < first:
        return [], [period]
    mondays = [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    edges = [DateRange(period.start, first - timedelta(days=1)),
             DateRange(last + timedelta(days=1), period.end)]  # fmt: skip
    return mondays, [edge for edge in edges if edge.start <= edge.end]


def _summed(pairs: Iterable[QueryPageFigures], field: str) -> dict[str, list[float]]:
    sums: dict[str, list[float]] = {}
    for pair in pairs:
        total = sums.setdefault(getattr(pair, field), [0, 0, 0.0])
        total[0] += pair.clicks
        total[1] += pair.impressions
        total[2] += pair.position_impressions
    return sums


def queries_of(pairs: Iterable[QueryPageFigures]) -> list[QueryFigures]:
    """Every query, most clicks first (the input of the query rules)."""
    found = [
        QueryFigures(int(c), int(i), p, query=query)
        for query, (c, i, p) in _summed(pairs, "query").items()
    ]
    return sorted(found, key=lambda q: (-q.clicks, -q.impressions, q.query))


def pages_of(pairs: Iterable[QueryPageFigures], limit: int = TOP_ROWS) -> list[PageFigures]:
    """The pages with the most clicks."""
    found = [
        PageFigures(int(c), int(i), p, page=page)
        for page, (c, i, p) in _summed(pairs, "page").items()
    ]
    return sorted(found, key=lambda q: (-q.clicks, -q.impressions, q.page))[:limit]


def query_figures(period: DateRange) -> list[QueryFigures]:
    """Every query of `period`, most clicks first."""
    return queries_of(query_page_figures(period))


def top_pages(period: DateRange, limit: int = TOP_ROWS) -> list[PageFigures]:
    """The pages with the most clicks over `period`."""
    return pages_of(query_page_figures(period), limit)


def totals_of(days: Iterable[DayFigures]) -> SearchTotals:
    """The period's totals from its days."""
    days = list(days)
    return SearchTotals(
        sum(d.clicks for d in days),
        sum(d.impressions for d in days),
        sum(d.position_impressions for d in days),
        fresh_days=sum(1 for d in days if d.fresh),
    )


# --- Opportunity rules ------------------------------------------------------------------


def brand_terms() -> list[str]:
    """The brand's own search terms (FLUX_BRAND_TERMS)."""
    return list(settings.FLUX_BRAND_TERMS)


def is_brand_query(query: str, terms: Sequence[str] | None = None) -> bool:
    """Whether the query contains a brand term as whole words."""
    terms = brand_terms() if terms is None else terms
    return _brand_pattern(tuple(terms)).search(query.lower()) is not None


@cache
def _brand_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all the terms, each as whole words (never matching when there are none)."""
    words = "|".join(re.escape(term) for term in terms) or r"(?!)"
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)")


def striking_distance(
    queries: Iterable[QueryFigures], terms: Sequence[str] | None = None
) -> list[QueryFigures]:
    """Non-brand queries averaging positions 8–20 with enough impressions, most seen first."""
    low, high = STRIKING_POSITIONS
    found = [
        q
        for q in queries
        if q.impressions >= STRIKING_MIN_IMPRESSIONS
        and q.position is not None
        and low <= q.position <= high
        and not is_brand_query(q.query, terms)
    ]
    return sorted(found, key=lambda q: (-q.impressions, q.query))


def expected_ctr(position: float) -> float | None:
    """The benchmark CTR for an average position (rounded half up), None past the table."""
    return EXPECTED_CTR.get(math.floor(position + 0.5))


@dataclass(frozen=True, slots=True)
class CtrShortfall:
    figures: QueryFigures
    expected: float


def ctr_below_benchmark(queries: Iterable[QueryFigures]) -> list[CtrShortfall]:
    """Queries with enough impressions whose CTR is under CTR_SHORTFALL of the benchmark."""
    found = []
    for q in queries:
        if q.impressions < CTR_MIN_IMPRESSIONS or q.position is None or q.ctr is None:
            continue
        expected = expected_ctr(q.position)
        if expected is not None and q.ctr < CTR_SHORTFALL * expected:
            found.append(CtrShortfall(q, expected))
    return sorted(found, key=lambda s: (-s.figures.impressions, s.figures.query))


@dataclass(frozen=True, slots=True)
class PageShare:
    page: str
    impressions: int
    share: float
    position: float | None


@dataclass(frozen=True, slots=True)
class Cannibalised:
    query: str
    impressions: int
    pages: list[PageShare]  # biggest share first

    @property
    def shares(self) -> str:
        """The pages with their shares, as the report prints them."""
        return " · ".join(f"{share.page} {share.share:.1%}" for share in self.pages)


@dataclass(frozen=True, slots=True)
class CannibalRow:
    """A cannibalised query as the report keeps it: its pages already written out."""

    query: str
    impressions: int
    pages: str


def cannibalisation(pairs: Iterable[QueryPageFigures]) -> list[Cannibalised]:
    """Queries with enough impressions where two or more pages each hold a real share."""
    by_query: dict[str, list[QueryPageFigures]] = defaultdict(list)
    for pair in pairs:
        by_query[pair.query].append(pair)
    found = [_shares(query, rows) for query, rows in by_query.items()]
    return sorted((c for c in found if c is not None), key=lambda c: (-c.impressions, c.query))


def _shares(query: str, rows: list[QueryPageFigures]) -> Cannibalised | None:
    total = sum(r.impressions for r in rows)
    if total < CANNIBAL_MIN_IMPRESSIONS:
        return None
    shares = [PageShare(r.page, r.impressions, r.impressions / total, r.position) for r in rows]
    counted = [r for r in rows if r.impressions * 100 >= total * CANNIBAL_MIN_SHARE_PERCENT]
    if len(counted) < 2:
        return None
    return Cannibalised(query, total, sorted(shares, key=lambda s: (-s.share, s.page)))


@dataclass(frozen=True, slots=True)
class DecayingPage:
    page: str
    clicks_before: int
    clicks_now: int

    @property
    def change(self) -> float:
        return self.clicks_now / self.clicks_before - 1


def decaying_pages(
    period: DateRange, pairs: Iterable[QueryPageFigures] | None = None
) -> list[DecayingPage]:
    """Pages whose clicks fell by more than DECAY_DROP_PERCENT from the window before `period`.

    `pairs` are the period's query x page figures when the caller has them already.
    """
    was = _summed_by(period.previous(), ("page",), ("clicks",))
    now = _summed(pairs if pairs is not None else query_page_figures(period), "page")
    pages = [
        DecayingPage(page, int(clicks), int(now.get(page, [0])[0]))
        for (page,), (clicks,) in was.items()
        if clicks >= DECAY_MIN_CLICKS
    ]
    # Integer arithmetic, so a drop of exactly the threshold is never flagged by rounding.
    found = [p for p in pages if p.clicks_now * 100 < p.clicks_before * (100 - DECAY_DROP_PERCENT)]
    return sorted(found, key=lambda p: (p.change, p.page))


@dataclass(frozen=True, slots=True)
class SearchReport:
    """A period's figures and the opportunity reports made from them."""

    days: list[DayFigures]  # the days that have data, oldest first
    before: SearchTotals | None  # the comparison period's totals
    top_queries: list[QueryFigures]  # the queries with the most clicks
    ranked: list[QueryFigures]  # the queries ranking well enough for the paid overlap
    pages: list[PageFigures]  # the pages with the most clicks
    striking: list[QueryFigures]
    ctr: list[CtrShortfall]
    cannibalised: list[CannibalRow]
    decaying: list[DecayingPage]


def search_report(period: DateRange, comparison: DateRange | None = None) -> SearchReport:
    """The period's report, worked out once per refresh of the search rollups."""
    terms = tuple(brand_terms())
    key = ("report", period, comparison, terms)
    return cached_on_rollups(("search",), key, lambda: _report(period, comparison, terms))


def _report(period: DateRange, comparison: DateRange | None, terms: Sequence[str]) -> SearchReport:
    pairs = query_page_figures(period)
    queries = queries_of(pairs)
    ranked = [q for q in queries if q.position is not None and q.position <= OVERLAP_MAX_POSITION]
    return SearchReport(
        search_by_day(period),
        search_totals(comparison) if comparison else None,
        queries[:TOP_ROWS],
        ranked,
        pages_of(pairs),
        striking_distance(queries, terms),
        ctr_below_benchmark(queries),
        [CannibalRow(c.query, c.impressions, c.shares) for c in cannibalisation(pairs)],
        decaying_pages(period, pairs),
    )


@dataclass(frozen=True, slots=True)
class PaidOverlap:
    term: str
    organic_position: float
    ad_clicks: int
    ad_cost_micros: int
    currency: str


def normalise_query(text: str) -> str:
    """Lower case with single spaces, so an ad search term meets its organic query."""
    return " ".join(text.lower().split())


def paid_organic_overlap(period: DateRange, queries: Iterable[QueryFigures]) -> list[PaidOverlap]:
    """Ad search terms of `period` whose query ranks in the organic top 3, by currency and cost."""
    ranked = {
        normalise_query(q.query): q.position
        for q in queries
        if q.position is not None and q.position <= OVERLAP_MAX_POSITION
    }
    found = [
        PaidOverlap(term, ranked[term], clicks, cost, currency)
        for (term, currency), (clicks, cost) in _ad_terms(period, list(ranked)).items()
        if term in ranked
    ]
    return sorted(found, key=lambda o: (o.currency, -o.ad_cost_micros, o.term))


def _ad_terms(period: DateRange, terms: Sequence[str]) -> dict[tuple[str, str], tuple[int, int]]:
    """Ad clicks and cost micros per normalised search term and currency (never mixed)."""
    rows = (
        SearchTermDay.objects.filter(day__gte=period.start, day__lte=period.end)
        .annotate(lowered=Lower("search_term"))
        .filter(lowered__in=terms)
        .values("search_term", "campaign__ad_account__currency")
        .annotate(clicks=Sum("clicks"), cost=Sum("cost_micros"))
        .order_by()
    )
    merged: dict[tuple[str, str], tuple[int, int]] = {}
    for row in rows:
        key = (normalise_query(row["search_term"]), row["campaign__ad_account__currency"])
        clicks, cost = merged.get(key, (0, 0))
        merged[key] = (clicks + (row["clicks"] or 0), cost + (row["cost"] or 0))
    return merged
