"""The Shippo label cost of each order: what contribution margin charges for shipping it.

Labels link to orders through reconciliation's label links once it has run. Before that, a
label goes to the order whose number it names (its Shippo order's, then its metadata), if it
was created between a little before the order's brand-local day and a while after it: orders
ship after they sell. Only valid labels count (created, not voided or refunded).
"""

from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max, Min, OuterRef, QuerySet, Subquery, Sum

from integrations.models import Label, Order, ShippoOrder
from integrations.order_numbers import order_number_normalise

LABEL_LOOKBEHIND = timedelta(days=2)
LABEL_LOOKAHEAD = timedelta(days=21)


def label_costs(orders: QuerySet[Order]) -> dict[int, int]:
    """The cost of valid labels per order of `orders` (order pk → minor units)."""
    linked = _linked_costs(orders)
    return linked if linked is not None else _costs_by_number(orders)


def _linked_costs(orders: QuerySet[Order]) -> dict[int, int] | None:
    links = _valid_links()
    if links is None:
        return None
    rows = (
        links.filter(order__in=orders)
        .values_list("order_id")
        .annotate(cost=Sum("label__label_cost"))
        .order_by()
    )
    return {order_id: cost or 0 for order_id, cost in rows}


def linked_cost_of_order() -> Subquery | None:
    """The label cost of the order OuterRef("order_id"), as a subquery, when labels are linked.

    None before reconciliation has linked any label (costs then follow order numbers).
    """
    links = _valid_links()
    if links is None:
        return None
    cost = links.filter(order_id=OuterRef("order_id")).values("order_id")
    return Subquery(cost.annotate(cost=Sum("label__label_cost")).values("cost"))


def _valid_links() -> QuerySet[Any] | None:
    """Reconciliation's links of valid labels, or None when it has linked none."""
    try:
        from reconciliation.models import LabelLink
    except ImportError:  # reconciliation has not landed: link by order number instead
        return None
    if not LabelLink.objects.exists():
        return None
    return LabelLink.objects.filter(label__object_state="VALID", label__status="SUCCESS")


def _costs_by_number(orders: QuerySet[Order]) -> dict[int, int]:
    bounds = orders.aggregate(first=Min("created_on"), last=Max("created_on"))
    if bounds["first"] is None:
        return {}
    a_day = timedelta(days=1)  # the orders' brand-local days start and end within a day of them
    labels = _numbered_labels(
        bounds["first"] - a_day - LABEL_LOOKBEHIND, bounds["last"] + a_day + LABEL_LOOKAHEAD
    )
    windows = _order_windows(orders, {number for _cost, number, _at in labels if number})
    costs: dict[int, int] = defaultdict(int)
    for cost, number, created in labels:
        found = windows.get(number) if number else None
        if found is not None and found[1] <= created < found[2]:
            costs[found[0]] += cost or 0
    return dict(costs)


def _order_windows(
    orders: QuerySet[Order], numbers: set[str]
) -> dict[str, tuple[int, datetime, datetime]]:
    """For each order named by a label: its pk and when its labels may have been created."""
    zone = ZoneInfo(settings.FLUX_BRAND_TIME_ZONE)
    windows: dict[str, tuple[int, datetime, datetime]] = {}
    if not numbers:
        return windows
    for pk, text, created_on in orders.values_list("pk", "order_number", "created_on"):
        number = order_number_normalise(text)
        if number not in numbers:
            continue
        start = datetime.combine(created_on.astimezone(zone).date(), time.min, tzinfo=zone)
        end = datetime.combine(start.date() + timedelta(days=1), time.min, tzinfo=zone)
        windows[number] = (pk, start - LABEL_LOOKBEHIND, end + LABEL_LOOKAHEAD)
    return windows


def _numbered_labels(
    start: datetime, end: datetime
) -> list[tuple[int | None, str | None, datetime]]:
    """Valid labels created in [start, end) with the order number each names."""
    labels = list(
        Label.objects.valid()
        .filter(object_created__gte=start, object_created__lt=end)
        .values_list("label_cost", "shippo_order_object_id", "metadata", "object_created")
    )
    shippo_ids = {shippo_id for _cost, shippo_id, _metadata, _at in labels if shippo_id}
    shippo_numbers = dict(
        ShippoOrder.objects.filter(object_id__in=shippo_ids).values_list(
            "object_id", "order_number"
        )
    )
    return [
        (cost, order_number_normalise(shippo_numbers.get(shippo_id, ""))
         or order_number_normalise(metadata), created)
        for cost, shippo_id, metadata, created in labels
    ]  # fmt: skip
