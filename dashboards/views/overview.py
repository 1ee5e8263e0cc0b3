"""The overview: the week's questions answered in one page."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from dashboards.charts import line_chart
from dashboards.metrics import Metric, minor_to_major, ratio
from dashboards.selectors.ads import ad_spend
from dashboards.selectors.sales import revenue_by_day, sales_totals
from dashboards.views.base import dashboard_response, period_of
from flux.htmx import HtmxHttpRequest

SOURCES = ["squarespace", "shippo", "meta", "google_ads", "search_console"]


@require_GET
def overview(request: HtmxHttpRequest) -> HttpResponse:
    """Revenue, orders, spend and efficiency over the chosen period."""
    period = period_of(request)
    now = sales_totals(period.current)
    before = sales_totals(period.comparison) if period.comparison else None
    spend = ad_spend(period.current)
    spend_before = ad_spend(period.comparison) if period.comparison else None
    revenue = minor_to_major(now.revenue_minor, now.currency)
    revenue_before = minor_to_major(before.revenue_minor, now.currency) if before else None
    metrics = [
        Metric("Revenue", revenue, "sum of grand totals − refunds", "money", revenue_before),
        Metric("Orders", now.orders, "count of orders (no test, no cancelled)", "count",
               before.orders if before else None),
        Metric("AOV", minor_to_major(now.aov_minor, now.currency), "revenue ÷ orders", "money",
               minor_to_major(before.aov_minor, now.currency) if before else None),
        Metric("Ad spend", spend, "Meta spend + Google Ads cost", "money", spend_before,
               higher_is_better=False),
        Metric("MER", ratio(revenue, spend), "revenue ÷ ad spend", "ratio",
               ratio(revenue_before, spend_before)),
    ]  # fmt: skip
    daily = revenue_by_day(period.current)
    chart = line_chart(
        labels=list(daily),
        series={"Revenue": [float(minor_to_major(v, now.currency) or 0) for v in daily.values()]},
        y_title=now.currency,
    )
    context = {"title": "Overview", "metrics": metrics, "revenue_chart": chart}
    return dashboard_response(
        request,
        page="overview",
        template="dashboards/overview.html",
        period=period,
        sources=SOURCES,
        context=context,
    )
