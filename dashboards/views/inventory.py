"""Inventory: per-SKU stock and cover, and products still advertised while they run short."""

from typing import Any

import django_tables2 as tables
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from dashboards.columns import NUMBER_ATTRS, DateTextColumn
from dashboards.metrics import Metric, format_value, minor_to_major
from dashboards.selectors.inventory import (
    HIGH_RISK_DAYS,
    MEDIUM_RISK_DAYS,
    AdvertisedShortage,
    SkuStock,
    advertised_while_low,
    stock_by_sku,
    velocity_window,
)
from dashboards.views.base import dashboard_response, period_of
from flux.htmx import HtmxHttpRequest

SOURCES = ["squarespace", "meta", "google_ads"]
PER_PAGE = 50
RISK_LABELS = {"out": "Out of stock", "high": "High", "medium": "Medium", "low": "Low",
               "none": "None (unlimited)"}  # fmt: skip


class StockTable(tables.Table):
    sku = tables.Column(verbose_name="SKU")
    name = tables.Column(verbose_name="Product")
    stock = tables.Column(attrs=NUMBER_ATTRS)
    velocity = tables.Column(verbose_name="Units/day (28 d)", attrs=NUMBER_ATTRS)
    cover = tables.Column(verbose_name="Days of cover", attrs=NUMBER_ATTRS)
    risk = tables.Column(verbose_name="Stock-out risk")
    last_stockout = DateTextColumn(verbose_name="Last stock-out", default="–")

    class Meta:
        prefix = "stock-"
        attrs = {"class": "table table-sm table-hover"}
        orderable = True


@require_GET
def inventory_page(request: HtmxHttpRequest) -> HttpResponse:
    """Show stock, cover and risk per SKU, and advertised shortages."""
    period = period_of(request)
    stock = stock_by_sku()
    table = StockTable([_row(s) for s in stock])
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    window = velocity_window()
    context = {
        "title": "Inventory",
        "metrics": _metrics(stock),
        "table": table,
        "note": _NOTE.format(
            start=window.start, end=window.end, high=HIGH_RISK_DAYS, medium=MEDIUM_RISK_DAYS
        ),
        "shortages": [_shortage(s) for s in advertised_while_low(stock)],
        "has_stock": bool(stock),
    }
    return dashboard_response(request, page="inventory", template="dashboards/inventory.html",
                              period=period, sources=SOURCES, context=context,
                              tables=[table])  # fmt: skip


_NOTE = (
    "Velocity = units sold in counted orders over the last 28 complete days ({start} to {end}) "
    "÷ 28. Days of cover = stock ÷ velocity. Risk: high under {high} days of cover, medium "
    "under {medium}. Stock and velocity are as of now; the date range does not change them."
)


def _row(s: SkuStock) -> dict[str, Any]:
    return {
        "sku": s.sku, "name": s.name, "stock": "∞" if s.unlimited else s.stock,
        "velocity": f"{s.velocity:.2f}", "cover": _cover(s),
        "risk": RISK_LABELS[s.risk], "last_stockout": s.last_stockout,
    }  # fmt: skip


def _cover(s: SkuStock) -> str:
    if s.unlimited:
        return "∞"
    if s.days_of_cover is None:
        return "0" if s.stock <= 0 else "no recent sales"
    return f"{s.days_of_cover:.1f}"


def _metrics(stock: list[SkuStock]) -> list[Metric]:
    def count(risk: str) -> int:
        return sum(1 for s in stock if s.risk == risk)

    return [
        Metric("SKUs out of stock", count("out"), "limited SKUs with stock ≤ 0",
               higher_is_better=False),
        Metric("High risk", count("high"), f"days of cover < {HIGH_RISK_DAYS}",
               higher_is_better=False),
        Metric("Medium risk", count("medium"), f"{HIGH_RISK_DAYS} ≤ days of cover < "
               f"{MEDIUM_RISK_DAYS}", higher_is_better=False),
        Metric("Units sold (28 d)", sum(s.units_sold for s in stock),
               "units in counted orders over the last 28 complete days"),
    ]  # fmt: skip


def _shortage(s: AdvertisedShortage) -> dict[str, Any]:
    return {
        "product": s.product,
        "skus": [f"{k.sku} ({RISK_LABELS[k.risk].lower()}, {k.stock} left)" for k in s.skus],
        "campaigns": [
            (c.name, c.platform,
             format_value(minor_to_major(c.daily_budget, c.currency), "money", c.currency)
             if c.daily_budget is not None else "no daily budget")
            for c in s.campaigns
        ],
    }  # fmt: skip
