"""Erase what synced data holds about a person who asked for deletion.

Orders are found by the keyed hash of the email (the only form in which we hold it). They
keep their totals and lines, which are the brand's accounting, but lose the email hash and
the city, state and postal code. The Shippo records of those orders, found through their
order numbers, lose the recipient's name and postal code. A Meta user id matches nothing we
sync, so it erases nothing here. The store keeps the order, so the Squarespace sync asks
`erased_subjects` before it stores one and keeps an erased person's orders anonymous.
"""

from typing import TypeVar

from django.db import models
from django.db.models import Q, QuerySet

from flux.privacy.erasure import register_eraser
from integrations.models import Label, Order, Shipment, ShippoOrder
from integrations.order_numbers import order_number_normalise

M = TypeVar("M", bound=models.Model)


def orders_erase(subject_hash: str, subject_kind: str) -> int:
    """Anonymise the orders placed with the hashed email, and their Shippo records."""
    if subject_kind != "email":
        return 0
    orders = Order.objects.filter(email_hash=subject_hash)
    numbers = set(orders.values_list("order_number", flat=True))
    changed = orders.update(email_hash="", ship_city="", ship_state="", ship_postal_code="")
    return changed + _shipping_erase(numbers)


def _shipping_erase(numbers: set[str]) -> int:
    if not numbers:
        return 0
    shippo_orders = _matching(ShippoOrder, "order_number", numbers)
    shippo_order_ids = list(shippo_orders.values_list("object_id", flat=True))
    labels = _matching(Label, "metadata", numbers) | Label.objects.filter(
        shippo_order_object_id__in=shippo_order_ids
    )
    changed = shippo_orders.update(recipient_zip="")
    changed += labels.update(recipient_name="", recipient_zip="")
    changed += _matching(Shipment, "metadata", numbers).update(recipient_name="", recipient_zip="")
    return changed


def _matching(model: type[M], field: str, numbers: set[str]) -> QuerySet[M]:
    """Rows whose `field` names one of `numbers` (checked exactly after a coarse text filter)."""
    coarse = Q()
    for number in numbers:
        coarse |= Q(**{f"{field}__contains": number})
    candidates = model._default_manager.filter(coarse).values_list("pk", field)
    exact = [pk for pk, text in candidates if order_number_normalise(text) in numbers]
    return model._default_manager.filter(pk__in=exact)


def register() -> None:
    """Add the synced-data eraser to the deletion registry."""
    register_eraser("integrations.synced_orders_and_shipments", orders_erase)
