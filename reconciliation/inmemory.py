"""The in-memory engine (SQLite, the demo, the unit tests): load rows, judge them in Python.

A full run loads every order and label. An incremental run starts from what changed: orders
whose `modified_on` differs from the one judged, labels whose state or tracking moved, Shippo
orders added since the last run, and results whose `recheck_at` passed; it then closes over
everything those touch (the orders a changed label names or named, the labels of those
orders, every order at the place of an unlinked label), so it ends where a full run would.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q

from integrations.models import Label, Order
from reconciliation.cases import cases_sync
from reconciliation.judge import LINK_COMPARED, RESULT_COMPARED, Judgement, world_judge
from reconciliation.models import LabelLink, OrderResult, ReconRun
from reconciliation.rules import Thresholds, zip_key
from reconciliation.world import (
    World,
    decisions_load,
    full_labels,
    full_orders,
    label_pks_naming,
    labels_by_pk,
    orders_by_number,
    orders_by_pk,
    orders_load,
    shippo_numbers,
    sizes_load,
)
from reconciliation.writing import rows_store


@dataclass(frozen=True)
class Counts:
    """What one run judged and wrote."""

    orders: int
    labels: int
    results_written: int
    links_written: int


def run_in_memory(*, full: bool, last: ReconRun | None, now: datetime) -> Counts:
    """Judge everything (or what changed since `last`) in Python and store what moved."""
    world = _full_world() if full or last is None else _incremental_world(last, now)
    judged = world_judge(world, now=now, limits=Thresholds.from_settings(), sizes=sizes_load)
    results = rows_store(OrderResult, "order_id", judged.results, RESULT_COMPARED)
    links = rows_store(LabelLink, "label_id", judged.links, LINK_COMPARED)
    cases_sync(world=world, judged=judged, results=results, links=links, now=now)
    return Counts(len(world.orders), len(world.labels), len(results), len(links))


def full_judgement(now: datetime) -> Judgement:
    """Judge every order and label in Python without storing anything (to compare engines)."""
    return world_judge(_full_world(), now=now, limits=Thresholds.from_settings(), sizes=sizes_load)


def _full_world() -> World:
    world = World(in_shippo=shippo_numbers())
    world.add_orders(full_orders())
    world.labels = {row.pk: row for row in full_labels()}
    decisions_load(world)
    return world


def _incremental_world(last: ReconRun, now: datetime) -> World:
    """Load what changed since `last` and everything it touches."""
    new_numbers = shippo_numbers(after_pk=last.max_shippo_order_pk)
    changed = _changed_labels()
    old = dict(LabelLink.objects.filter(label_id__in=changed).values_list("label_id", "number"))
    old_orders = LabelLink.objects.filter(label_id__in=changed, order__isnull=False)
    world = World()
    linked = set(old_orders.values_list("order_id", flat=True))
    world.add_orders(orders_by_pk(_changed_orders(now) | linked))
    fresh = labels_by_pk(changed)
    numbers = new_numbers | set(old.values()) | {label.number for label in fresh.values()}
    world.add_orders(orders_by_number(numbers - set(world.by_number)))
    world.labels.update(fresh)
    _close(world, _probable_label_pks() | changed)
    decisions_load(world)
    return world


def _close(world: World, extra_labels: set[int]) -> None:
    """Add every label of the world's orders, the probable candidates and the orders they touch."""
    _add_labels(world, extra_labels)
    _add_places(world)
    while True:
        missing = label_pks_naming(world.by_number) - set(world.labels)
        missing |= set(LabelLink.objects.filter(order_id__in=list(world.orders)).exclude(
            label_id__in=list(world.labels)).values_list("label_id", flat=True))  # fmt: skip
        _add_labels(world, missing)
        named = {lb.number for lb in world.labels.values() if lb.number} - set(world.by_number)
        found = orders_by_number(named)
        if not found:
            break
        world.add_orders(found)
    world.in_shippo = shippo_numbers() & set(world.by_number)


def _add_labels(world: World, pks: set[int]) -> None:
    """Load labels the world lacks, and the orders their stored links point at."""
    world.labels.update(labels_by_pk(pks - set(world.labels)))
    linked = LabelLink.objects.filter(label_id__in=list(pks), order__isnull=False)
    world.add_orders(
        orders_by_pk(set(linked.values_list("order_id", flat=True)) - set(world.orders))
    )


def _add_places(world: World) -> None:
    """Load every order at the places of the valid labels that have no order by number."""
    places = {
        (zip_key(lb.zip, lb.country), lb.country.upper())
        for lb in world.labels.values()
        if lb.valid and lb.zip and lb.number not in world.by_number
    }
    query = Q()
    for zip_, country in places:
        field = "ship_postal_code__startswith" if country == "US" else "ship_postal_code"
        query |= Q(**{field: zip_, "ship_country__iexact": country})
    if places:
        found = [o for o in orders_load(query) if o.pk not in world.orders]
        world.add_orders(found)


def _changed_orders(now: datetime) -> set[int]:
    """Return orders never judged, modified since judged, or due a time-based recheck."""
    new = Order.objects.filter(recon__isnull=True).order_by().values_list("pk", flat=True)
    moved = OrderResult.objects.exclude(order_modified=F("order__modified_on"))
    due = OrderResult.objects.filter(recheck_at__lte=now)
    return {
        *new,
        *moved.values_list("order_id", flat=True),
        *due.values_list("order_id", flat=True),
    }


def _changed_labels() -> set[int]:
    """Return labels never judged, or whose state or tracking moved since."""
    new = Label.objects.filter(recon_link__isnull=True).order_by().values_list("pk", flat=True)
    same = (
        Q(object_state=F("label__object_state"))
        & Q(status=F("label__status"))
        & Q(tracking_status=F("label__tracking_status"))
        & Q(object_updated=F("label__object_updated"))
    )
    moved = LabelLink.objects.exclude(same).values_list("label_id", flat=True)
    return {*new, *moved}


def _probable_label_pks() -> set[int]:
    """Return the valid labels without an order by number: orphans and probable matches."""
    links = LabelLink.objects.filter(Q(orphan=True) | Q(kind="probable"))
    return set(links.values_list("label_id", flat=True))
