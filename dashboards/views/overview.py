"""The overview: the week's questions answered in one page."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import django_tables2 as tables
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from dashboards.charts import line_chart
from dashboards.metrics import Metric, format_value, micros_to_major, minor_to_major, ratio
from dashboards.ranges import DateRange
from dashboards.selectors import alerts
from dashboards.selectors.overview import (
    CARDS,
    OVERVIEW,
    AdSummary,
    Margins,
    NewCustomers,
    RepeatCustomers,
    SkuCost,
    catalog_costs,
    margins,
    period_sums,
)
from dashboards.selectors.sales import SalesTotals
from dashboards.views.base import dashboard_response, period_of
from flux.htmx import HtmxHttpRequest
from integrations.models import AdPlatform

SOURCES = ["squarespace", "shippo", "meta", "google_ads", "search_console"]
MARGIN_FORMULA = (
    "revenue − COGS (catalog unit cost × units, by SKU) − Shippo label cost of valid labels "
    "linked to the order − ad spend"
)
PRODUCT_MARGIN_FORMULA = (
    "line revenue − catalog unit cost × units − each order's label cost shared by line revenue "
    "− spend of the campaigns linked to the product (split evenly between linked products)"
)


@dataclass(frozen=True)
class Figures:
    """Everything the headline cards need for one range."""

    sales: SalesTotals
    ads: AdSummary
    new: NewCustomers
    repeat: RepeatCustomers
    margins: Margins
    clicks: int
    fresh_days: int


def figures_for(
    period: DateRange, catalog: dict[str, SkuCost], *, currency: str = "", detail: bool = True
) -> Figures:
    """Ask every selector the overview needs about `period` (margins by product if `detail`).

    Money is in `currency`, else in the currency of the latest order.
    """
    sums = period_sums(period, OVERVIEW if detail else CARDS)
    clicks, fresh = sums.search
    return Figures(
        sums.sales_totals(currency or sums.currency),
        sums.ad_summary(),
        sums.new_customers(),
        sums.repeat,
        margins(period, sums, by_product=detail, catalog=catalog),
        clicks,
        fresh,
    )


class MoneyColumn(tables.Column):
    """Minor units shown as money in the table's currency."""

    def render(self, value: Any, table: Any) -> str:
        return format_value(minor_to_major(round(value), table.currency), "money", table.currency)

    def value(self, value: Any, table: Any) -> str:
        return self.render(value, table)


class MarginDayTable(tables.Table):
    day = tables.Column()  # a date: its text is the ISO day, on the page and in the CSV
    revenue = MoneyColumn()
    cogs = MoneyColumn(verbose_name="COGS")
    labels = MoneyColumn(verbose_name="Label cost")
    spend = MoneyColumn(verbose_name="Ad spend")
    margin = MoneyColumn(verbose_name="Contribution margin")

    class Meta:
        prefix = "margin-day-"
        attrs = {"class": "table table-sm table-hover"}
        orderable = True

    def __init__(self, data: Any, *, currency: str, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.currency = currency


class MarginProductTable(MarginDayTable):
    day = None
    product = tables.Column()
    units = tables.Column()

    class Meta(MarginDayTable.Meta):
        prefix = "margin-product-"
        sequence = ("product", "units", "...")


@require_GET
def overview(request: HtmxHttpRequest) -> HttpResponse:
    """Revenue, orders, spend and efficiency over the chosen period."""
    period = period_of(request)
    catalog = catalog_costs()  # read fresh: staff edit costs at any time
    now = figures_for(period.current, catalog)
    currency = now.sales.currency
    # The comparison shows only the cards: its margin needs no products.
    before = (
        figures_for(period.comparison, catalog, currency=currency, detail=False)
        if period.comparison
        else None
    )
    by_day = MarginDayTable(_day_rows(now.margins), currency=currency)
    by_product = MarginProductTable(_product_rows(now.margins), currency=currency)
    for table in (by_day, by_product):
        RequestConfig(request, paginate={"per_page": 31}).configure(table)
    context = {
        "title": "Overview",
        "metrics": overview_metrics(now, before),
        "revenue_chart": _margin_chart(period.current, now),
        "margin_day_table": by_day,
        "margin_product_table": by_product,
        "product_formula": PRODUCT_MARGIN_FORMULA,
        "unmatched_units": now.margins.unmatched_skus,
        "alerts": _alerts(),
    }
    return dashboard_response(
        request,
        page="overview",
        template="dashboards/overview.html",
        period=period,
        sources=SOURCES,
        context=context,
        tables=[by_day, by_product],
    )


def overview_metrics(now: Figures, before: Figures | None) -> list[Metric]:
    """The headline cards, each with its formula and its comparison."""
    currency = now.sales.currency
    cards = [_card(spec, now, before, currency) for spec in _SPECS]
    return [*cards[:4], *_platform_cards(now, before, currency), *cards[4:]]


@dataclass(frozen=True)
class _Spec:
    label: str
    formula: str
    unit: str
    value: Any  # Callable[[Figures], value]
    higher_is_better: bool = True
    settling: bool = False


def _revenue(f: Figures) -> Decimal | None:
    return minor_to_major(f.sales.revenue_minor, f.sales.currency)


def _spend(f: Figures) -> Decimal | None:
    return micros_to_major(f.ads.spend_micros)


_SPECS = [
    _Spec("Revenue", "sum of grand totals − refunds", "money", _revenue),
    _Spec("Orders", "count of orders (no test, no cancelled)", "count", lambda f: f.sales.orders),
    _Spec("AOV", "revenue ÷ orders", "money",
          lambda f: minor_to_major(f.sales.aov_minor, f.sales.currency)),
    _Spec("Ad spend", "Meta spend + Google Ads cost", "money", _spend, False, True),
    _Spec("MER", "revenue ÷ ad spend", "ratio", lambda f: ratio(_revenue(f), _spend(f)),
          settling=True),
    _Spec("Blended ROAS", "platform-reported conversion value ÷ ad spend", "ratio",
          lambda f: ratio(micros_to_major(f.ads.conversion_value_micros), _spend(f)),
          settling=True),
    _Spec("New-customer revenue",
          "revenue of orders that are a customer's first order ever (by email hash)", "money",
          lambda f: minor_to_major(f.new.revenue_minor, f.sales.currency)),
    _Spec("New customers", "email hashes whose first order ever is in the period", "count",
          lambda f: f.new.customers),
    _Spec("CAC", "ad spend ÷ new customers", "money",
          lambda f: ratio(_spend(f), f.new.customers), False, True),
    _Spec("Repeat-customer rate",
          "customers in the period with 2+ orders ever ÷ customers in the period (email hashes)",
          "percent", lambda f: f.repeat.rate),
    _Spec("Contribution margin", MARGIN_FORMULA, "money",
          lambda f: minor_to_major(f.margins.total.margin, f.sales.currency), settling=True),
    _Spec("Organic clicks", "Search Console clicks", "count", lambda f: f.clicks),
]  # fmt: skip


def _card(spec: _Spec, now: Figures, before: Figures | None, currency: str) -> Metric:
    note = ""
    if spec.settling and now.ads.settling_days:
        note = f"includes {now.ads.settling_days} settling days"
    if spec.label == "Organic clicks" and now.fresh_days:
        note = f"includes {now.fresh_days} settling days"
    return Metric(
        spec.label,
        spec.value(now),
        spec.formula,
        spec.unit,  # type: ignore[arg-type]
        spec.value(before) if before else None,
        higher_is_better=spec.higher_is_better,
        currency=currency,
        note=note,
    )


def _platform_cards(now: Figures, before: Figures | None, currency: str) -> list[Metric]:
    def spend(f: Figures | None, platform: str) -> Decimal | None:
        return micros_to_major(f.ads.spend_by_platform.get(platform, 0)) if f else None

    return [
        Metric(f"{label} spend", spend(now, platform), f"{label} spend in the period", "money",
               spend(before, platform), higher_is_better=False, currency=currency)
        for platform, label in AdPlatform.choices
    ]  # fmt: skip


def _margin_chart(period: DateRange, now: Figures) -> dict[str, Any]:
    currency = now.sales.currency
    days = now.margins.by_day
    first = now.ads.first_settling_day
    settling_from = (first - period.start).days if first else None

    def major(values: list[int]) -> list[float]:
        return [float(minor_to_major(v, currency) or 0) for v in values]

    return line_chart(
        labels=[d.day for d in days],
        series={
            "Revenue": major([d.revenue for d in days]),
            "Contribution margin": major([d.margin for d in days]),
            "Ad spend": major([d.spend for d in days]),
        },
        settling_from=settling_from,
        y_title=currency,
    )


def _day_rows(found: Margins) -> list[dict[str, Any]]:
    return [
        {"day": d.day, "revenue": d.revenue, "cogs": d.cogs, "labels": d.labels,
         "spend": d.spend, "margin": d.margin}
        for d in found.by_day
    ]  # fmt: skip


def _product_rows(found: Margins) -> list[dict[str, Any]]:
    return [
        {"product": p.product, "units": p.units, "revenue": p.revenue, "cogs": p.cogs,
         "labels": p.labels, "spend": p.spend, "margin": p.margin}
        for p in found.by_product
    ]  # fmt: skip


def _alerts() -> dict[str, Any]:
    return {
        "stock": alerts.stock_alert(),
        "reconciliation": alerts.reconciliation_exceptions_refreshed(),
        "proposals": alerts.pending_proposals(),
        "connections": alerts.broken_connections(),
    }
