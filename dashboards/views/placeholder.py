"""Pages not built yet show what they will hold (replaced page by page)."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from dashboards.views.base import PAGES, dashboard_response, period_of
from flux.htmx import HtmxHttpRequest


def placeholder_view(page: str):  # type: ignore[no-untyped-def]
    """Build a view for `page` that renders its empty state."""
    title = dict((slug, label) for slug, label, _icon in PAGES)[page]

    @require_GET
    def view(request: HtmxHttpRequest) -> HttpResponse:
        return dashboard_response(
            request,
            page=page,
            template="dashboards/placeholder.html",
            period=period_of(request),
            sources=[],
            context={"title": title},
        )

    return view
