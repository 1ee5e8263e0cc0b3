"""Judge a loaded world: link labels to orders, then flag every order and label."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reconciliation.matching import (
    LabelCandidate,
    OrderCandidate,
    Probable,
    probable_choose,
    probable_fits,
)
from reconciliation.models import MatchKind
from reconciliation.rules import Clock, Thresholds, bucket_of, order_flags, recheck_at
from reconciliation.world import LabelRow, OrderRow, World

# (label pks, order pks) -> (parcels per label, physical items per order)
SizeLookup = Callable[[list[int], list[int]], tuple[dict[int, int], dict[int, int]]]
RESULT_COMPARED = (
    "bucket", "flags", "label_ids", "tracking_numbers", "match_kind", "confidence",
    "in_shippo", "order_modified", "recheck_at",
)  # fmt: skip
LINK_COMPARED = (
    "number", "order_id", "kind", "confidence", "orphan", "object_state", "status",
    "tracking_status", "object_updated",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Link:
    """A label's order and how it was found."""

    order_pk: int
    kind: str
    confidence: float


@dataclass
class Judgement:
    """The rows a run would store: results per order, links per label."""

    results: dict[int, dict[str, Any]]
    links: dict[int, dict[str, Any]]


def world_judge(world: World, *, now: datetime, limits: Thresholds, sizes: SizeLookup) -> Judgement:
    """Link every label in the world, then judge every order in it."""
    links = _exact_links(world)
    links.update(_probable_links(world, links, limits=limits, sizes=sizes))
    by_order: dict[int, list[int]] = {}
    for label_pk, link in links.items():
        by_order.setdefault(link.order_pk, []).append(label_pk)
        world.labels[label_pk].probable = link.kind == MatchKind.PROBABLE
    clock = Clock.at(now, limits)
    results = {
        pk: _result(world, order, sorted(by_order.get(pk, ())), links, clock=clock, limits=limits)
        for pk, order in world.orders.items()
    }
    label_rows = {pk: _link_row(label, links.get(pk)) for pk, label in world.labels.items()}
    return Judgement(results, label_rows)


def _exact_links(world: World) -> dict[int, Link]:
    """Link labels by the order number they name, and the pairs staff confirmed."""
    links: dict[int, Link] = {}
    for pk, label in world.labels.items():
        order_pk = world.by_number.get(label.number) if label.number else None
        if order_pk is not None:
            links[pk] = Link(order_pk, MatchKind.EXACT, 1.0)
        elif world.confirmed.get(pk) in world.orders:
            links[pk] = Link(world.confirmed[pk], MatchKind.CONFIRMED, 1.0)
    return links


def _probable_links(
    world: World, exact: dict[int, Link], *, limits: Thresholds, sizes: SizeLookup
) -> dict[int, Link]:
    """Propose orders for the valid labels no number links, among orders with no valid label."""
    served = {link.order_pk for pk, link in exact.items() if world.labels[pk].valid}
    labels = [
        LabelCandidate(lb.pk, lb.created, lb.zip, lb.country)
        for lb in world.labels.values()
        if lb.valid and lb.pk not in exact
    ]
    orders = [
        OrderCandidate(o.pk, o.facts.created_on, o.facts.zip, o.facts.country)
        for o in world.orders.values()
        if not o.facts.excluded and o.pk not in served
    ]
    window = limits.probable_window_days
    fits = probable_fits(labels, orders, window_days=window, rejected=world.rejected)
    if not fits:
        return {}
    order_pks = sorted({o.pk for fitting in fits.values() for o in fitting})
    parcels, items = sizes(sorted(label.pk for label in fits), order_pks)
    chosen = probable_choose(fits, parcels=parcels, items=items, window_days=window)
    return {pk: _probable(p) for pk, p in chosen.items()}


def _probable(proposal: Probable) -> Link:
    return Link(proposal.order_pk, MatchKind.PROBABLE, proposal.confidence)


def _result(
    world: World,
    order: OrderRow,
    label_pks: list[int],
    links: dict[int, Link],
    *,
    clock: Clock,
    limits: Thresholds,
) -> dict[str, Any]:
    """Return the result row of one order."""
    labels = [world.labels[pk] for pk in label_pks]
    in_shippo = order.number in world.in_shippo
    flags = order_flags(order.facts, labels, in_shippo=in_shippo, clock=clock)
    kinds = [links[pk] for pk in label_pks]
    return {
        "order_id": order.pk,
        "bucket": bucket_of(flags),
        "flags": flags,
        "label_ids": label_pks,
        "tracking_numbers": [lb.tracking_number for lb in labels if lb.tracking_number],
        "match_kind": _match_kind(kinds),
        "confidence": min((link.confidence for link in kinds), default=None),
        "in_shippo": in_shippo,
        "order_modified": order.modified_on,
        "evaluated_at": clock.now,
        "recheck_at": recheck_at(order.facts, labels, now=clock.now, limits=limits),
    }


def _match_kind(links: list[Link]) -> str:
    """Return the strongest way any of the order's labels was linked."""
    kinds = {link.kind for link in links}
    for kind in (MatchKind.EXACT, MatchKind.CONFIRMED, MatchKind.PROBABLE):
        if kind in kinds:
            return str(kind)
    return ""


def _link_row(label: LabelRow, link: Link | None) -> dict[str, Any]:
    """Return the stored link of one label, with the fields it was judged on."""
    return {
        "label_id": label.pk,
        "number": label.number,
        "order_id": link.order_pk if link else None,
        "kind": str(link.kind) if link else "",
        "confidence": link.confidence if link else None,
        "orphan": label.valid and link is None,
        "object_state": label.object_state,
        "status": label.status,
        "tracking_status": label.tracking_status,
        "object_updated": label.object_updated,
    }
