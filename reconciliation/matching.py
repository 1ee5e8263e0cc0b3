"""Match labels to orders: exactly by order number, or probably by ZIP, time and parcels."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from integrations.order_numbers import order_number_normalise
from reconciliation.rules import zip_key


def label_number(*, shippo_order_number: str | None, metadata: str) -> str:
    """Return the order number a label names: its Shippo order's first, then its metadata."""
    for text in (shippo_order_number, metadata):
        number = order_number_normalise(text or "")
        if number:
            return number
    return ""


@dataclass(frozen=True, slots=True)
class LabelCandidate:
    """A valid label with no exact match, as the probable rule reads it."""

    pk: int
    created: datetime
    zip: str
    country: str


@dataclass(frozen=True, slots=True)
class OrderCandidate:
    """An order without an exact valid label, as the probable rule reads it."""

    pk: int
    created_on: datetime
    zip: str
    country: str


@dataclass(frozen=True, slots=True)
class Probable:
    """A proposed order for a label, with how sure the rule is."""

    order_pk: int
    confidence: float


def place_key(postal_code: str, country: str) -> tuple[str, str]:
    """Return the key two addresses must share to be the same place."""
    return zip_key(postal_code, country), country.upper()


def probable_fits(
    labels: Iterable[LabelCandidate],
    orders: Iterable[OrderCandidate],
    *,
    window_days: int,
    rejected: set[tuple[int, int]],
) -> dict[LabelCandidate, list[OrderCandidate]]:
    """Return, per label, the orders at the same place placed within the window before it."""
    by_place: defaultdict[tuple[str, str], list[OrderCandidate]] = defaultdict(list)
    for order in orders:
        if order.zip:
            by_place[place_key(order.zip, order.country)].append(order)
    window = timedelta(days=window_days)
    fits: dict[LabelCandidate, list[OrderCandidate]] = {}
    for label in labels:
        nearby = by_place.get(place_key(label.zip, label.country), []) if label.zip else []
        fitting = [
            o
            for o in nearby
            if o.created_on <= label.created <= o.created_on + window
            and (o.pk, label.pk) not in rejected
        ]
        if fitting:
            fits[label] = fitting
    return fits


def probable_choose(
    fits: dict[LabelCandidate, list[OrderCandidate]],
    *,
    parcels: dict[int, int],
    items: dict[int, int],
    window_days: int,
) -> dict[int, Probable]:
    """Pick the most likely order per label; ties go to the earlier order."""
    window = timedelta(days=window_days)
    chosen: dict[int, Probable] = {}
    for label, orders in fits.items():
        count = parcels.get(label.pk, 1)
        scored = [
            (_score(label, order, count, items.get(order.pk, 1), window) / len(orders), -order.pk)
            for order in orders
        ]
        score, neg_pk = max(scored)
        if score > 0:
            chosen[label.pk] = Probable(-neg_pk, round(score, 3))
    return chosen


def _score(
    label: LabelCandidate, order: OrderCandidate, parcels: int, items: int, window: timedelta
) -> float:
    """Return how alike a label and an order are, from 0 to 0.95 (never certain)."""
    nearness = 1 - 0.5 * ((label.created - order.created_on) / window)
    gap = max(0, parcels - max(items, 1))
    return 0.95 * nearness * max(0.0, 1 - 0.5 * gap)


def exact_links(label_numbers: dict[int, str], order_by_number: dict[str, int]) -> dict[int, int]:
    """Return label pk -> order pk for every label whose number names a known order."""
    return {
        label: order_by_number[number]
        for label, number in label_numbers.items()
        if number in order_by_number
    }


def group_by_order(links: dict[int, int]) -> dict[int, list[int]]:
    """Invert label -> order links into order -> sorted labels."""
    grouped: defaultdict[int, list[int]] = defaultdict(list)
    for label, order in links.items():
        grouped[order].append(label)
    return {order: sorted(labels) for order, labels in grouped.items()}
