"""Organic search: clicks, impressions, CTR and position over time, top lists, opportunities."""

from dataclasses import fields
from typing import Any

import django_tables2 as tables
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from dashboards.charts import line_chart
from dashboards.columns import FigureColumn
from dashboards.metrics import Metric, micros_to_major
from dashboards.ranges import DateRange, Period
from dashboards.selectors import search as s
from dashboards.views.base import dashboard_response, period_of
from flux.htmx import HtmxHttpRequest

SOURCES = ["search_console", "google_ads"]
PER_PAGE = 25
POSITION_FORMULA = "Σ(position × impressions) ÷ Σ impressions"


class FiguresTable(tables.Table):
    clicks = FigureColumn()
    impressions = FigureColumn()
    ctr = FigureColumn("percent", verbose_name="CTR")
    position = FigureColumn("position", verbose_name="Avg position")

    class Meta:
        orderable = True


class QueryTable(FiguresTable):
    query = tables.Column()

    class Meta(FiguresTable.Meta):
        sequence = ("query", "...")


class PageTable(FiguresTable):
    page = tables.Column()

    class Meta(FiguresTable.Meta):
        sequence = ("page", "...")


class CtrTable(QueryTable):
    expected = FigureColumn("percent", verbose_name="Expected CTR")


class CannibalTable(tables.Table):
    query = tables.Column()
    impressions = FigureColumn()
    pages = tables.Column(verbose_name="Pages (share of impressions)", orderable=False)


class DecayTable(tables.Table):
    page = tables.Column()
    clicks_before = FigureColumn(verbose_name="Clicks, window before")
    clicks_now = FigureColumn(verbose_name="Clicks, this period")
    change = FigureColumn("percent", verbose_name="Change")


class OverlapTable(tables.Table):
    term = tables.Column(verbose_name="Search term")
    organic_position = FigureColumn("position", verbose_name="Organic position")
    ad_clicks = FigureColumn(verbose_name="Ad clicks")
    ad_cost = FigureColumn("money", verbose_name="Ad spend")
    currency = tables.Column()


def figures_record(row: s.SearchFigures, **extra: Any) -> dict[str, Any]:
    """A table row of clicks, impressions, CTR and weighted position."""
    return {"clicks": row.clicks, "impressions": row.impressions, "ctr": row.ctr,
            "position": row.position, **extra}  # fmt: skip


def opportunity_tables(period: DateRange, report: s.SearchReport) -> list[tables.Table]:
    """The five opportunity reports, each a table with its own CSV export."""
    overlap = s.paid_organic_overlap(period, report.ranked)  # ad terms: read as they are now
    return [
        # Long reports are handed over as they are: their rows have every column's name.
        QueryTable(report.striking, prefix="striking-"),
        CtrTable(
            [figures_record(c.figures, query=c.figures.query, expected=c.expected)
             for c in report.ctr],
            prefix="ctr-",
        ),
        CannibalTable(report.cannibalised, prefix="cannibal-"),
        DecayTable(
            [{**_record(p), "change": p.change} for p in report.decaying], prefix="decay-"
        ),
        OverlapTable(
            [{**_record(o), "ad_cost": micros_to_major(o.ad_cost_micros)} for o in overlap],
            prefix="overlap-",
        ),
    ]  # fmt: skip


def _record(item: Any) -> dict[str, Any]:
    """A report item's fields as a table row (its own values, not copies)."""
    return {field.name: getattr(item, field.name) for field in fields(item)}


def search_tables(
    request: HtmxHttpRequest, period: DateRange, report: s.SearchReport
) -> list[tables.Table]:
    """Top queries and pages, then the opportunity reports, configured from the URL."""
    built = [
        QueryTable(
            [figures_record(q, query=q.query) for q in report.top_queries],
            prefix="queries-",
        ),
        PageTable([figures_record(p, page=p.page) for p in report.pages], prefix="pages-"),
        *opportunity_tables(period, report),
    ]
    config = RequestConfig(request, paginate={"per_page": PER_PAGE})
    for table in built:
        config.configure(table)
    return built


def search_metrics(now: s.SearchTotals, before: s.SearchTotals | None) -> list[Metric]:
    """Headline figures with formulas, comparison and the fresh-day note."""
    note = f"includes {now.fresh_days} fresh day{'s' if now.fresh_days != 1 else ''}"
    note = note if now.fresh_days else ""
    return [
        Metric("Clicks", now.clicks, "Σ clicks", "count", before.clicks if before else None,
               note=note),
        Metric("Impressions", now.impressions, "Σ impressions", "count",
               before.impressions if before else None, note=note),
        Metric("CTR", now.ctr, "clicks ÷ impressions", "percent",
               before.ctr if before else None),
        Metric("Avg position", now.position, POSITION_FORMULA, "position",
               before.position if before else None, higher_is_better=False),
    ]  # fmt: skip


def search_charts(period: DateRange, days: list[s.DayFigures]) -> dict[str, dict[str, Any]]:
    """Clicks and impressions by day, and CTR and position by day; fresh days dashed."""
    by_day = {row.day: row for row in days}
    labels = period.each_day()
    rows = [by_day.get(day) for day in labels]
    fresh = [n for n, row in enumerate(rows) if row and row.fresh]
    settling_from = fresh[0] if fresh else None
    volume = line_chart(
        labels=labels,
        series={"Clicks": [row.clicks if row else 0 for row in rows],
                "Impressions": [row.impressions if row else 0 for row in rows]},
        settling_from=settling_from, second_axis=["Impressions"],
    )  # fmt: skip
    quality = line_chart(
        labels=labels,
        series={"CTR %": [round(row.ctr * 100, 2) if row and row.ctr else None for row in rows],
                "Avg position": [round(row.position, 2) if row and row.position else None
                                 for row in rows]},
        settling_from=settling_from, second_axis=["Avg position"],
    )  # fmt: skip
    return {"volume": volume, "quality": quality}


THRESHOLDS = {
    "striking": f"Average position {s.STRIKING_POSITIONS[0]:g}–{s.STRIKING_POSITIONS[1]:g} "
    f"with at least {s.STRIKING_MIN_IMPRESSIONS} impressions; brand queries excluded.",
    "ctr": f"CTR under {s.CTR_SHORTFALL:.0%} of the expected CTR for the rounded position, with "
    f"at least {s.CTR_MIN_IMPRESSIONS} impressions. Expected CTR by position: "
    + ", ".join(f"{pos}: {ctr:.1%}" for pos, ctr in s.EXPECTED_CTR.items())
    + "; deeper positions have no benchmark.",
    "cannibal": f"At least {s.CANNIBAL_MIN_IMPRESSIONS} impressions for the query, and two or "
    f"more pages with at least {s.CANNIBAL_MIN_SHARE_PERCENT}% of them each.",
    "decay": f"Clicks fell by more than {s.DECAY_DROP_PERCENT}% against the equal window just "
    f"before the period, from at least {s.DECAY_MIN_CLICKS} clicks.",
    "overlap": f"Google Ads search terms whose query averages position "
    f"{s.OVERLAP_MAX_POSITION:g} or better organically over the period; spend per currency.",
}
HEADINGS = [
    ("Top queries", ""),
    ("Top pages", ""),
    ("Striking-distance queries", THRESHOLDS["striking"]),
    ("CTR below the benchmark for the position", THRESHOLDS["ctr"]),
    ("Cannibalisation: one query, several pages", THRESHOLDS["cannibal"]),
    ("Decaying pages", THRESHOLDS["decay"]),
    ("Paid/organic overlap", THRESHOLDS["overlap"]),
]


def search_context(request: HtmxHttpRequest, period: Period) -> tuple[dict[str, Any], list[Any]]:
    """Everything the page shows, and its tables (for CSV export)."""
    report = s.search_report(period.current, period.comparison)
    days, before = report.days, report.before
    now = s.totals_of(days)
    built = search_tables(request, period.current, report)
    context = {
        "title": "Organic search",
        "has_data": now.impressions > 0,
        "totals": now,
        "metrics": search_metrics(now, before),
        "charts": search_charts(period.current, days) if now.impressions else {},
        "tables": [(t, h, n) for t, (h, n) in zip(built, HEADINGS, strict=True)],
        "brand_terms": ", ".join(s.brand_terms()),
    }
    return context, built


@require_GET
def search(request: HtmxHttpRequest) -> HttpResponse:
    """Organic search over the chosen period, with its opportunity reports."""
    period = period_of(request)
    context, built = search_context(request, period)
    return dashboard_response(
        request,
        page="search",
        template="dashboards/search.html",
        period=period,
        sources=SOURCES,
        context=context,
        tables=built,
    )
