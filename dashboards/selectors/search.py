"""Organic search questions over the daily query x page rollup of Search Console rows.

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
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Lower

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

SUMS: dict[str, Any] = {
    "total_clicks": Sum("clicks"),
    "total_impressions": Sum("impressions"),
    "weighted": Sum("position_impressions"),
}


@dataclass(frozen=True)
class SearchFigures:
    """Clicks, impressions and the weighted position of any grouping of rows."""

    clicks: int = 0
    impressions: int = 0
    position_impressions: float = 0.0

    @property
    def ctr(self) -> float | None:
        return self.clicks / self.impressions if self.impressions else None

    @property
    def position(self) -> float | None:
        return self.position_impressions / self.impressions if self.impressions else None


@dataclass(frozen=True)
class SearchTotals(SearchFigures):
    fresh_days: int = 0  # days whose numbers Google may still revise


@dataclass(frozen=True)
class DayFigures(SearchFigures):
    day: date = date.min
    fresh: bool = False


@dataclass(frozen=True)
class QueryFigures(SearchFigures):
    query: str = ""


@dataclass(frozen=True)
class PageFigures(SearchFigures):
    page: str = ""


@dataclass(frozen=True)
class QueryPageFigures(SearchFigures):
    query: str = ""
    page: str = ""


def rollup_in(period: DateRange) -> QuerySet[SearchQueryPageDay]:
    """Rollup rows on the days of `period`."""
    return SearchQueryPageDay.objects.filter(day__gte=period.start, day__lte=period.end)


def _sums(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "clicks": row["total_clicks"] or 0,
        "impressions": row["total_impressions"] or 0,
        "position_impressions": row["weighted"] or 0.0,
    }


def search_totals(period: DateRange) -> SearchTotals:
    """Clicks, impressions, CTR and weighted position over `period`, with its fresh days."""
    row = rollup_in(period).aggregate(
        **SUMS, fresh_days=Count("day", distinct=True, filter=Q(fresh=True))
    )
    return SearchTotals(**_sums(row), fresh_days=row["fresh_days"] or 0)


def search_by_day(period: DateRange) -> list[DayFigures]:
    """Figures per day that has data, oldest first; a day is fresh if any of it is."""
    rows = (
        rollup_in(period)
        .values("day")
        .annotate(**SUMS, fresh_rows=Count("id", filter=Q(fresh=True)))
        .order_by("day")
    )
    return [DayFigures(**_sums(r), day=r["day"], fresh=r["fresh_rows"] > 0) for r in rows]


def query_page_figures(period: DateRange) -> list[QueryPageFigures]:
    """Every query x page pair of `period`: what the query and page lists sum up."""
    rows = rollup_in(period).values("query", "page").annotate(**SUMS).order_by()
    return [QueryPageFigures(**_sums(r), query=r["query"], page=r["page"]) for r in rows]


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
    text = query.lower()
    return any(re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text) for term in terms)


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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class PageShare:
    page: str
    impressions: int
    share: float
    position: float | None


@dataclass(frozen=True)
class Cannibalised:
    query: str
    impressions: int
    pages: list[PageShare]  # biggest share first


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


@dataclass(frozen=True)
class DecayingPage:
    page: str
    clicks_before: int
    clicks_now: int

    @property
    def change(self) -> float:
        return self.clicks_now / self.clicks_before - 1


def decaying_pages(period: DateRange) -> list[DecayingPage]:
    """Pages whose clicks fell by more than DECAY_DROP_PERCENT from the window before `period`."""
    before = period.previous()
    rows = (
        SearchQueryPageDay.objects.filter(day__gte=before.start, day__lte=period.end)
        .values("page")
        .annotate(
            was=Sum("clicks", filter=Q(day__lte=before.end)),
            now=Sum("clicks", filter=Q(day__gte=period.start)),
        )
        .filter(was__gte=DECAY_MIN_CLICKS)
        .order_by()
    )
    pages = [DecayingPage(r["page"], r["was"], r["now"] or 0) for r in rows]
    # Integer arithmetic, so a drop of exactly the threshold is never flagged by rounding.
    found = [p for p in pages if p.clicks_now * 100 < p.clicks_before * (100 - DECAY_DROP_PERCENT)]
    return sorted(found, key=lambda p: (p.change, p.page))


@dataclass(frozen=True)
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
