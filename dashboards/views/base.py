"""What every dashboard page does the same way: period, freshness, htmx fragment, CSV."""

from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django_tables2 import Table
from django_tables2.export import TableExport

from dashboards.freshness import freshness_of
from dashboards.ranges import COMPARISONS, PRESETS, Period, period_from_query
from flux.htmx import HtmxHttpRequest

PAGES = [
    ("overview", "Overview", "bi-speedometer2"),
    ("ads", "Ads", "bi-megaphone"),
    ("search", "Organic search", "bi-search"),
    ("sales", "Sales", "bi-cart"),
    ("inventory", "Inventory", "bi-boxes"),
    ("social", "Social", "bi-instagram"),
    ("changes", "What changed", "bi-clock-history"),
]


def period_of(request: HtmxHttpRequest) -> Period:
    """The period the page's URL asks for."""
    return period_from_query(request.GET)


def dashboard_response(
    request: HtmxHttpRequest,
    *,
    page: str,
    template: str,
    period: Period,
    sources: Sequence[str],
    context: dict[str, Any],
    tables: Sequence[Table] = (),
) -> HttpResponse:
    """Render the page, its htmx fragment, or one of its tables as CSV (?export=<prefix>)."""
    export = _export(request, tables, page)
    if export is not None:
        return export
    full = {
        **context,
        "page": page,
        "pages": PAGES,
        "period": period,
        "presets": PRESETS,
        "comparisons": COMPARISONS,
        "freshness": freshness_of(sources),
    }
    name = f"{template}#body" if request.htmx and not request.htmx.boosted else template
    return render(request, name, full)


def _export(request: HtmxHttpRequest, tables: Sequence[Table], page: str) -> HttpResponse | None:
    wanted = request.GET.get("export")
    if not wanted:
        return None
    for table in tables:
        if table.prefix.rstrip("-") == wanted:
            response: HttpResponse = TableExport("csv", table).response(f"{page}-{wanted}.csv")
            return response
    return HttpResponse("Unknown table.", status=400)
