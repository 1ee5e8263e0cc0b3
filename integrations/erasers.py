"""Erase what synced data holds about a person who asked for deletion.

Orders are found by the keyed hash of the email (the only form in which we hold it). They
keep their totals and lines, which are the brand's accounting, but lose the email hash and
the city, state and postal code. The Shippo records of those orders, found through their
order numbers, lose the recipient's name and postal code. A Meta user id matches nothing we
sync, so it erases nothing here.

The platforms keep what we erase, so the next sync would bring it back. The Squarespace sync
asks `erased_subjects` before it stores an order and keeps an erased person's orders
anonymous. The Shippo sync has no email to ask with, and the erased orders no longer hold
the hash; it asks `erased_order_texts` whether a record names an order stored as
this eraser leaves it, and stores that record as the eraser leaves it too.
"""

from collections.abc import Iterable
from typing import TypeVar

from django.db import models
from django.db.models import Q, QuerySet

from flux.privacy.erasure import register_eraser
from integrations.models import Label, Order, Shipment, ShippoOrder
from integrations.order_numbers import order_number_normalise

M = TypeVar("M", bound=models.Model)

# The personal fields each erased row is left with, by kind of row.
ORDER_ERASED = {"email_hash": "", "ship_city": "", "ship_state": "", "ship_postal_code": ""}
RECIPIENT_ERASED = {"recipient_name": "", "recipient_zip": ""}  # labels and shipments
SHIPPO_ORDER_ERASED = {"recipient_zip": ""}


def orders_erase(subject_hash: str, subject_kind: str) -> int:
    """Anonymise the orders placed with the hashed email, and their Shippo records."""
    if subject_kind != "email":
        return 0
    orders = Order.objects.filter(email_hash=subject_hash)
    numbers = set(orders.values_list("order_number", flat=True))
    changed = orders.update(**ORDER_ERASED)
    return changed + _shipping_erase(numbers)


def _shipping_erase(numbers: set[str]) -> int:
    if not numbers:
        return 0
    shippo_orders = _matching(ShippoOrder, "order_number", numbers)
    shippo_order_ids = list(shippo_orders.values_list("object_id", flat=True))
    labels = _matching(Label, "metadata", numbers) | Label.objects.filter(
        shippo_order_object_id__in=shippo_order_ids
    )
    changed = shippo_orders.update(**SHIPPO_ORDER_ERASED)
    changed += labels.update(**RECIPIENT_ERASED)
    changed += _matching(Shipment, "metadata", numbers).update(**RECIPIENT_ERASED)
    return changed


def _matching(model: type[M], field: str, numbers: set[str]) -> QuerySet[M]:
    """Rows whose `field` names one of `numbers` (checked exactly after a coarse text filter)."""
    coarse = Q()
    for number in numbers:
        coarse |= Q(**{f"{field}__contains": number})
    candidates = model._default_manager.filter(coarse).values_list("pk", field)
    exact = [pk for pk, text in candidates if order_number_normalise(text) in numbers]
    return model._default_manager.filter(pk__in=exact)


def erased_order_texts(texts: Iterable[str]) -> set[str]:
    """Return those of `texts` (order numbers as Shippo writes them) that name an erased order.

    An erased order is one stored as `orders_erase` leaves it: no email hash, city, state or
    postal code. Its hash is gone, so the order itself is what remembers the deletion; the
    Squarespace sync keeps it so, and stores a new order of an erased person the same way.
    An order placed with no email and no address looks alike, but it ships to nobody, so
    no recipient of it is lost.
    """
    numbers = {text: order_number_normalise(text) for text in set(texts) if text}
    wanted = {number for number in numbers.values() if number}
    if not wanted:
        return set()
    erased = set(
        Order.objects.filter(order_number__in=wanted, **ORDER_ERASED).values_list(
            "order_number", flat=True
        )
    )
    return {text for text, number in numbers.items() if number in erased}


def fields_blank(rows: Iterable[M], erased: dict[str, str]) -> None:
    """Set each row's personal fields to what the eraser leaves in them (before a sync writes)."""
    for row in rows:
        for name, value in erased.items():
            setattr(row, name, value)


def register() -> None:
    """Add the synced-data eraser to the deletion registry."""
    register_eraser("integrations.synced_orders_and_shipments", orders_erase)
