"""Reconcile Squarespace orders with Shippo labels: a full run, and an incremental one.

A run loads compact rows (values_list), judges them in Python dicts and writes only the rows
whose outcome changed. The incremental run judges only what changed since the last run:
orders whose modifiedOn moved, labels whose state or tracking moved, new Shippo orders, and
orders whose flags time alone can change (their `recheck_at` passed), plus everything those
touch (the orders a changed label names or named, and the orders a probable label could go
to), so its results equal a full run's.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from integrations.models import Label, Order, OrderLine, Rate, ShippoOrder
from integrations.order_numbers import order_number_normalise
from reconciliation.cases import cases_sync
from reconciliation.judge import LINK_COMPARED, RESULT_COMPARED, world_judge
from reconciliation.models import LabelLink, OrderResult, ReconRun, ShippoOrderKey
from reconciliation.rules import Thresholds, zip_key
from reconciliation.world import (
    World,
    decisions_load,
    full_labels,
    full_orders,
    label_pks_naming,
    labels_load,
    numbers_in_shippo,
    orders_by_number,
    orders_by_pk,
    orders_load,
    shippo_key_numbers,
    shippo_numbers_for,
)
from reconciliation.writing import rows_store

logger = logging.getLogger(__name__)
LOCK_KEY = 0x7265636F  # "reco": one reconciliation at a time on PostgreSQL


@dataclass(frozen=True)
class RunSummary:
    """What one run did."""

    run_id: int
    full: bool
    orders_evaluated: int
    labels_evaluated: int
    results_written: int
    links_written: int


def reconcile(*, full: bool = False, now: datetime | None = None) -> RunSummary:
    """Run a reconciliation: incremental unless `full` or no run has finished yet."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock()
        last = ReconRun.objects.filter(finished_at__isnull=False).order_by("-pk").first()
        run = ReconRun.objects.create(started_at=timezone.now(), full=full or last is None)
        if run.full:
            world, top = _full_world()
        else:
            assert last is not None  # noqa: S101 - run.full covers None
            world, top = _incremental_world(last, now)
        summary = _judge_and_store(run, world, now=now, top=top)
    logger.info(
        "reconciled run_id=%s full=%s orders=%s labels=%s written=%s",
        run.pk, run.full, summary.orders_evaluated, summary.labels_evaluated,
        summary.results_written,
    )  # fmt: skip
    return summary


def _lock() -> None:
    """Serialise runs: two syncs finishing together must not judge the same rows twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _judge_and_store(run: ReconRun, world: World, *, now: datetime, top: int) -> RunSummary:
    """Judge the world, write what changed, sync the cases and close the run."""
    judged = world_judge(world, now=now, limits=Thresholds.from_settings(), sizes=_sizes)
    results = rows_store(OrderResult, "order_id", judged.results, RESULT_COMPARED)
    links = rows_store(LabelLink, "label_id", judged.links, LINK_COMPARED)
    cases_sync(world=world, judged=judged, results=results, links=links, now=now)
    run.finished_at = timezone.now()
    run.orders_evaluated, run.labels_evaluated = len(world.orders), len(world.labels)
    run.results_written, run.max_shippo_order_pk = len(results), top
    run.save()
    return RunSummary(
        run.pk, run.full, len(world.orders), len(world.labels), len(results), len(links)
    )


# Worlds


def _full_world() -> tuple[World, int]:
    """Load everything, after reading the numbers of Shippo orders not read before."""
    _, top = _new_shippo_keys(0)
    world = World(in_shippo=shippo_key_numbers())
    world.add_orders(full_orders())
    world.labels = {row.pk: row for row in full_labels()}
    decisions_load(world)
    return world, top


def _incremental_world(last: ReconRun, now: datetime) -> tuple[World, int]:
    """Load what changed since `last` and everything it touches."""
    new_keys, top = _new_shippo_keys(last.max_shippo_order_pk)
    changed = _changed_labels()
    old = dict(LabelLink.objects.filter(label_id__in=changed).values_list("label_id", "number"))
    old_orders = LabelLink.objects.filter(label_id__in=changed, order__isnull=False)
    world = World()
    linked = set(old_orders.values_list("order_id", flat=True))
    world.add_orders(orders_by_pk(_changed_orders(now) | linked))
    fresh = _labels_by_pk(changed)
    numbers = set(new_keys) | set(old.values()) | {label.number for label in fresh.values()}
    world.add_orders(orders_by_number(numbers - set(world.by_number)))
    world.labels.update(fresh)
    _close(world, _probable_label_pks() | changed)
    decisions_load(world)
    return world, top


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
    world.in_shippo = numbers_in_shippo(world.by_number)


def _add_labels(world: World, pks: set[int]) -> None:
    """Load labels the world lacks, and the orders their stored links point at."""
    world.labels.update(_labels_by_pk(pks - set(world.labels)))
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


def _labels_by_pk(pks: set[int]) -> dict[int, Any]:
    """Load labels by primary key, their numbers read through the stored Shippo order keys."""
    if not pks:
        return {}
    ids = list(pks)
    object_ids = Label.objects.filter(pk__in=ids).exclude(shippo_order_object_id="")
    shippo = shippo_numbers_for(object_ids.values_list("shippo_order_object_id", flat=True))
    return {row.pk: row for row in labels_load(Q(pk__in=ids), shippo)}


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


def _new_shippo_keys(after_pk: int) -> tuple[dict[str, int], int]:
    """Store the number keys of Shippo orders not read yet; return their numbers and the top pk."""
    unread = ShippoOrder.objects.filter(pk__gt=after_pk, recon_key__isnull=True)
    keys = {
        pk: order_number_normalise(text) or ""
        for pk, text in unread.values_list("pk", "order_number")
    }
    rows = {pk: {"shippo_order_id": pk, "number": n} for pk, n in keys.items()}
    rows_store(ShippoOrderKey, "shippo_order_id", rows, ("number",))
    top = ShippoOrder.objects.order_by("-pk").values_list("pk", flat=True).first()
    return {n: pk for pk, n in keys.items() if n}, top or after_pk


# Sizes for the probable rule


def _sizes(label_pks: list[int], order_pks: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Return parcels per label (from its shipment) and physical items per order."""
    rates = Label.objects.filter(pk__in=label_pks).values_list("pk", "rate_object_id")
    by_rate = dict(
        Rate.objects.filter(object_id__in=[r for _, r in rates if r]).values_list(
            "object_id", "shipment__parcel_count"
        )
    )
    parcels = {pk: by_rate[rate] for pk, rate in rates if by_rate.get(rate)}
    lines = OrderLine.objects.filter(order_id__in=order_pks, line_type="PHYSICAL_PRODUCT")
    items = dict(lines.values("order_id").annotate(n=Sum("quantity")).values_list("order_id", "n"))
    return parcels, items
