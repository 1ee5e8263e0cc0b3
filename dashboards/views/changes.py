"""What changed: revenue and spend by day with the events that may explain their swings."""

from collections import Counter
from typing import Any

import django_tables2 as tables
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from dashboards.charts import PALETTE, line_chart
from dashboards.metrics import micros_to_major, minor_to_major
from dashboards.ranges import DateRange
from dashboards.selectors.changes import KIND_LABELS, Event, events_in
from dashboards.selectors.overview import TIMELINE, period_sums
from dashboards.views.base import dashboard_response, period_of
from dashboards.views.columns import LocalTimeColumn
from flux.htmx import HtmxHttpRequest

SOURCES = ["squarespace", "meta", "google_ads", "shippo"]
EVENTS_NOTE = (
    "Actions the app executed (audit log), posts published, stock-outs (a SKU's stock falling "
    "from above zero to zero or below) and reconciliation exceptions opened."
)


class EventTable(tables.Table):
    at = LocalTimeColumn(verbose_name="When")
    kind = tables.Column(verbose_name="What happened")
    label = tables.Column(verbose_name="Detail")

    class Meta:
        prefix = "events-"
        attrs = {"class": "table table-sm table-hover"}


@require_GET
def changes(request: HtmxHttpRequest) -> HttpResponse:
    """Revenue and ad spend per day, with executed actions, posts, stock-outs and exceptions."""
    period = period_of(request)
    events = events_in(period.current)
    table = EventTable([{"at": e.at, "kind": e.kind_label, "label": e.label} for e in events])
    RequestConfig(request, paginate={"per_page": 100}).configure(table)
    context = {
        "title": "What changed",
        "timeline_chart": timeline_chart(period.current, events),
        "event_counts": _counts(events),
        "event_table": table,
        "has_events": bool(events),
        "events_note": EVENTS_NOTE,
    }
    return dashboard_response(
        request, page="changes", template="dashboards/changes.html", period=period,
        sources=SOURCES, context=context, tables=[table],
    )  # fmt: skip


def timeline_chart(period: DateRange, events: list[Event]) -> dict[str, Any]:
    """Revenue and spend lines with the number of events each day as bars on a second axis."""
    sums = period_sums(period, TIMELINE)
    currency = sums.currency
    revenue = sums.revenue_by_day()
    spend = sums.spend_by_day()
    per_day = Counter(event.day() for event in events)
    first = sums.ad_summary().first_settling_day
    config = line_chart(
        labels=list(revenue),
        series={
            "Revenue": [float(minor_to_major(v, currency) or 0) for v in revenue.values()],
            "Ad spend": [float(micros_to_major(v) or 0) for v in spend.values()],
            "Events": [per_day.get(day, 0) for day in period.each_day()],
        },
        settling_from=(first - period.start).days if first else None,
        y_title=currency,
        second_axis=["Events"],
    )
    events_set = config["data"]["datasets"][2]
    events_set.update({"type": "bar", "backgroundColor": PALETTE[4], "borderColor": PALETTE[4]})
    config["options"]["scales"]["y2"]["title"] = {"display": True, "text": "events"}
    return config


def _counts(events: list[Event]) -> list[tuple[str, int]]:
    counted = Counter(event.kind for event in events)
    return [(label, counted.get(kind, 0)) for kind, label in KIND_LABELS.items()]
