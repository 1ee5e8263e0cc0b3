"""Sales: revenue and orders by day, what sold, where it went, who came back, what was refunded."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import django_tables2 as tables
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from dashboards.charts import line_chart
from dashboards.columns import DateTextColumn, FigureColumn
from dashboards.metrics import Metric, minor_to_major
from dashboards.selectors import sales
from dashboards.views.base import dashboard_response, period_of
from flux.htmx import HtmxHttpRequest

SOURCES = ["squarespace"]
PER_PAGE = 25
LINE_FORMULA = "unit price × quantity, before order discounts, shipping and tax"


class _Table(tables.Table):
    class Meta:
        attrs = {"class": "table table-sm table-hover"}
        orderable = True


class ProductTable(_Table):
    name = tables.Column(verbose_name="Product")
    units = FigureColumn()
    revenue = FigureColumn("money", verbose_name="Line revenue")

    class Meta(_Table.Meta):
        prefix = "products-"
        order_by = ("-revenue",)


class SkuTable(ProductTable):
    sku = tables.Column(verbose_name="SKU")

    class Meta(ProductTable.Meta):
        prefix = "skus-"
        sequence = ("sku", "name", "...")


class StateTable(_Table):
    country = tables.Column()
    state = tables.Column(verbose_name="State")
    orders = FigureColumn()
    revenue = FigureColumn("money")

    class Meta(_Table.Meta):
        prefix = "states-"
        order_by = ("-revenue",)


class CohortTable(_Table):
    month = DateTextColumn("%Y-%m", verbose_name="First-order month")
    customers = FigureColumn()
    repeat_30 = FigureColumn("percent", verbose_name="Again ≤ 30 d")
    repeat_90 = FigureColumn("percent", verbose_name="Again ≤ 90 d")
    repeat_180 = FigureColumn("percent", verbose_name="Again ≤ 180 d")
    first_revenue = FigureColumn("money", verbose_name="First-order revenue")
    revenue = FigureColumn("money", verbose_name="Revenue to date")

    class Meta(_Table.Meta):
        prefix = "cohorts-"


@dataclass(frozen=True)
class Figures:
    """The headline numbers for one range."""

    totals: sales.SalesTotals
    returns: sales.Returns


def figures_for(days: sales.SalesDays, currency: str) -> Figures:
    """One range's headline numbers from its daily sums."""
    return Figures(days.totals(currency), days.returns())


@require_GET
def sales_page(request: HtmxHttpRequest) -> HttpResponse:
    """Show the Sales dashboard for the chosen period."""
    period = period_of(request)
    sums = sales.sales_sums(period.current, period.comparison)
    currency = sums.currency
    now = figures_for(sums.current, currency)
    before = figures_for(sums.comparison, currency) if sums.comparison else None
    tables_ = _tables(sums, currency)
    for table in tables_:
        RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    context = {
        "title": "Sales",
        "metrics": sales_metrics(now, before),
        "chart": _chart(sums.current, sums.comparison, currency),
        "tables": list(zip(tables_, _HEADINGS, _NOTES, strict=True)),
        "has_orders": now.returns.placed > 0,
    }
    return dashboard_response(request, page="sales", template="dashboards/sales.html",
                              period=period, sources=SOURCES, context=context,
                              tables=tables_)  # fmt: skip


_HEADINGS = ["Top products", "Top SKUs", "Revenue by shipping state", "First-order cohorts"]
_NOTES = [
    f"Line revenue = {LINE_FORMULA}. SKUs in no catalog product are listed by their line name.",
    f"Line revenue = {LINE_FORMULA}.",
    "Net revenue (grand total − refunds) by the order's shipping state; blank: no address.",
    "Customers (email hashes) whose first order ever fell in the month, for the 12 months up to "
    "the range's end; share who ordered again within 30/90/180 days of that first order. "
    "A dash: that window has not elapsed yet.",
]


def _tables(sums: sales.SalesSums, currency: str) -> list[tables.Table]:
    sold = sales.named_skus(sums.skus)  # named by the catalog as it is now
    products = [_item_row(i, currency) for i in sales.products_of(sold)]
    skus = [_item_row(i, currency) for i in sold]
    states = [_state_row(s, currency) for s in sums.states]
    cohorts = [_cohort_row(c, currency) for c in sums.cohorts]
    return [ProductTable(products), SkuTable(skus), StateTable(states), CohortTable(cohorts)]


def _major(minor: int, currency: str) -> Decimal | None:
    return minor_to_major(minor, currency)


def _item_row(item: sales.ItemSales, currency: str) -> dict[str, Any]:
    return {"name": item.name, "sku": item.sku, "units": item.units,
            "revenue": _major(item.revenue_minor, currency), "currency": currency}  # fmt: skip


def _state_row(s: sales.StateSales, currency: str) -> dict[str, Any]:
    return {"country": s.country or "–", "state": s.state or "–", "orders": s.orders,
            "revenue": _major(s.revenue_minor, currency), "currency": currency}  # fmt: skip


def _cohort_row(c: sales.Cohort, currency: str) -> dict[str, Any]:
    return {
        "month": c.month, "customers": c.customers, "currency": currency,
        **{f"repeat_{days}": c.rate(days) for days in sales.COHORT_WINDOWS},
        "first_revenue": _major(c.first_revenue_minor, currency),
        "revenue": _major(c.revenue_minor, currency),
    }  # fmt: skip


def sales_metrics(now: Figures, before: Figures | None) -> list[Metric]:
    """The headline cards, each with its formula and comparison."""
    currency = now.totals.currency
    cards = []
    for label, formula, unit, value, better in _SPECS:
        cards.append(Metric(label, value(now), formula, unit, value(before) if before else None,
                            higher_is_better=better, currency=currency))  # fmt: skip
    return cards


def _money(minor: int | None, f: Figures) -> Decimal | None:
    return minor_to_major(minor, f.totals.currency)


_SPECS: list[tuple[str, str, Any, Any, bool]] = [
    ("Revenue", "sum of grand totals − refunds (no test, no cancelled orders)", "money",
     lambda f: _money(f.totals.revenue_minor, f), True),
    ("Orders", "count of orders (no test, no cancelled)", "count", lambda f: f.totals.orders, True),
    ("AOV", "revenue ÷ orders", "money", lambda f: _money(f.totals.aov_minor, f), True),
    ("Refunds", "sum of refunded amounts", "money",
     lambda f: _money(f.returns.refunded_minor, f), False),
    ("Refund rate", "refunded amount ÷ grand totals", "percent",
     lambda f: f.returns.refund_rate, False),
    ("Refunded orders", "orders with a refund ÷ orders", "percent",
     lambda f: f.returns.refunded_order_rate, False),
    ("Cancellations", "cancelled orders (their grand totals are not revenue)", "count",
     lambda f: f.returns.canceled, False),
    ("Cancellation rate", "cancelled ÷ orders placed (including cancelled)", "percent",
     lambda f: f.returns.cancel_rate, False),
]  # fmt: skip


def _chart(
    current: sales.SalesDays, comparison: sales.SalesDays | None, currency: str
) -> dict[str, Any]:
    days = current.by_day()
    series: dict[str, Sequence[float | int | None]] = {
        "Revenue": [float(_major(d.revenue_minor, currency) or 0) for d in days],
        "Orders": [d.orders for d in days],
    }
    if comparison is not None:
        earlier = comparison.by_day()
        series["Revenue (comparison)"] = [
            float(_major(d.revenue_minor, currency) or 0) for d in earlier
        ][: len(days)]
    return line_chart(labels=[d.day for d in days], series=series, y_title=currency,
                      second_axis=["Orders"])  # fmt: skip
