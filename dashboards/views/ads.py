"""Ads: one set of figures across Meta and Google Ads, by platform, campaign and day."""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import django_tables2 as tables
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from dashboards.charts import line_chart
from dashboards.columns import FigureColumn
from dashboards.metrics import Metric, minor_to_major
from dashboards.ranges import DateRange
from dashboards.selectors.ads import (
    FORMULAS,
    AdFigures,
    AdsSums,
    DayRow,
    ads_sums,
    campaign_rows,
    days_of,
    platforms_of,
    totals_of,
)
from dashboards.views.base import dashboard_response, period_of
from flux.htmx import HtmxHttpRequest
from integrations.models import AdPlatform

SOURCES = ["meta", "google_ads"]
PER_PAGE = 25
PLATFORMS = dict(AdPlatform.choices)


class AdFiguresTable(tables.Table):
    """The figures every ads grouping shows, each formatted in the row's currency."""

    currency = tables.Column()
    spend = FigureColumn("money")
    impressions = FigureColumn()
    clicks = FigureColumn()
    ctr = FigureColumn("percent", verbose_name="CTR")
    cpc = FigureColumn("money", verbose_name="CPC")
    conversions = FigureColumn()
    cpa = FigureColumn("money", verbose_name="CPA")
    conversion_value = FigureColumn("money", verbose_name="Conv. value")
    roas = FigureColumn("ratio", verbose_name="ROAS")

    class Meta:
        orderable = True


class PlatformTable(AdFiguresTable):
    platform = tables.Column()
    settling_days = FigureColumn(verbose_name="Settling days")

    class Meta(AdFiguresTable.Meta):
        sequence = ("platform", "...")


class CampaignTable(AdFiguresTable):
    name = tables.Column(verbose_name="Campaign")
    platform = tables.Column()
    status = tables.Column()
    daily_budget = FigureColumn("money", verbose_name="Daily budget")
    settling_days = FigureColumn(verbose_name="Settling days")

    class Meta(AdFiguresTable.Meta):
        sequence = ("name", "platform", "status", "daily_budget", "...")


class DayTable(AdFiguresTable):
    day = tables.Column()
    settling = tables.Column(verbose_name="State")

    class Meta(AdFiguresTable.Meta):
        sequence = ("day", "...")


def figures_record(row: AdFigures) -> dict[str, Any]:
    """A table row: the raw sums plus the major-unit money and ratios (sortable as numbers)."""
    record = {field.name: getattr(row, field.name) for field in fields(row)}
    for name in ("spend", "conversion_value", "ctr", "cpc", "cpa", "roas"):
        record[name] = getattr(row, name)
    if "platform" in record:
        record["platform"] = PLATFORMS.get(record["platform"], record["platform"])
    if "daily_budget_minor" in record:
        record["daily_budget"] = minor_to_major(record["daily_budget_minor"], row.currency)
    record["settling"] = "settling" if row.settling_days else "final"
    if "day" in record:
        record["day"] = record["day"].isoformat()
    return record


def ads_tables(request: HtmxHttpRequest, sums: AdsSums) -> list[tables.Table]:
    """The three groupings as sortable, paged, exportable tables."""
    campaigns = campaign_rows(sums.campaigns)  # named, with status and budget as they are now
    built = [
        PlatformTable([figures_record(r) for r in platforms_of(sums.grain)], prefix="platform-"),
        CampaignTable([figures_record(r) for r in campaigns], prefix="campaign-"),
        DayTable([figures_record(r) for r in days_of(sums.grain)], prefix="day-"),
    ]
    config = RequestConfig(request, paginate={"per_page": PER_PAGE})
    for table in built:
        config.configure(table)
    return built


@dataclass(frozen=True)
class CurrencyBlock:
    """What the page shows for one currency: headline figures and the daily trend."""

    currency: str
    settling_days: int
    metrics: list[Metric]
    chart: dict[str, Any]

    @property
    def chart_id(self) -> str:
        return f"chart-ads-{self.currency.lower()}"


def ads_metrics(now: AdFigures, before: AdFigures | None) -> list[Metric]:
    """Headline figures in one currency with their formulas and comparison."""
    note = settling_note(now.settling_days)
    c = now.currency

    def was(name: str) -> Any:
        return getattr(before, name) if before else None

    return [
        Metric("Spend", now.spend, "Σ spend", "money", was("spend"), False, c),
        Metric("Impressions", now.impressions, "Σ impressions", "count", was("impressions")),
        Metric("Clicks", now.clicks, "Σ clicks", "count", was("clicks")),
        Metric("CTR", now.ctr, FORMULAS["ctr"], "percent", was("ctr")),
        Metric("CPC", now.cpc, FORMULAS["cpc"], "money", was("cpc"), False, c),
        Metric("Conversions", now.conversions, "Σ conversions", "count", was("conversions"),
               note=note),
        Metric("CPA", now.cpa, FORMULAS["cpa"], "money", was("cpa"), False, c, note),
        Metric("Conversion value", now.conversion_value, "Σ conversion value", "money",
               was("conversion_value"), True, c, note),
        Metric("ROAS", now.roas, FORMULAS["roas"], "ratio", was("roas"), note=note),
    ]  # fmt: skip


def settling_note(days: int) -> str:
    """The note a total carries while some of its days may still change."""
    if not days:
        return ""
    return f"includes {days} settling day{'s' if days != 1 else ''}"


def trend_chart(currency: str, days: Sequence[DayRow], period: DateRange) -> dict[str, Any]:
    """Spend and conversion value per day (and ROAS on its own axis), settling days dashed."""
    by_day: dict[date, DayRow] = {row.day: row for row in days if row.currency == currency}
    labels = period.each_day()
    rows = [by_day.get(day) for day in labels]
    settling = [n for n, row in enumerate(rows) if row and row.settling_days]
    return line_chart(
        labels=labels,
        series={
            "Spend": [float(row.spend) if row else 0 for row in rows],
            "Conversion value": [float(row.conversion_value) if row else 0 for row in rows],
            "ROAS": [float(row.roas) if row and row.roas is not None else None for row in rows],
        },
        settling_from=settling[0] if settling else None,
        y_title=currency,
        second_axis=["ROAS"],
    )


def currency_blocks(current: DateRange, sums: AdsSums) -> list[CurrencyBlock]:
    """One block per currency the period's accounts report in."""
    before = {row.currency: row for row in sums.before}
    days = days_of(sums.grain)
    return [
        CurrencyBlock(
            now.currency,
            now.settling_days,
            ads_metrics(now, before.get(now.currency)),
            trend_chart(now.currency, days, current),
        )
        for now in totals_of(sums.grain)
    ]


@require_GET
def ads(request: HtmxHttpRequest) -> HttpResponse:
    """Spend and results across platforms, per currency, with the three groupings."""
    period = period_of(request)
    sums = ads_sums(period.current, period.comparison)
    built = ads_tables(request, sums)
    context = {
        "title": "Ads",
        "blocks": currency_blocks(period.current, sums),
        "tables": list(zip(built, ("By platform", "By campaign", "By day"), strict=True)),
        "formulas": FORMULAS,
    }
    return dashboard_response(
        request,
        page="ads",
        template="dashboards/ads.html",
        period=period,
        sources=SOURCES,
        context=context,
        tables=built,
    )
