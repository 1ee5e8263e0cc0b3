"""The brand: one seeded Flux Engineering store, served page by page.

    brand = Brand(seed=7, scale="demo", anchor=date(2026, 11, 20))
    page = brand.orders_page(limit=50)            # Squarespace orders by modifiedOn
    brand.transactions_page(page=1, results=25)   # Shippo labels
    brand.truth.breakages["1042"]                 # how order 1042 was broken
    ids = brand.edit_orders(count=100, at=now)    # later edits, seen by modifiedAfter

Orders are drawn on demand from their index; only compact indexes and the truth tally are
kept, plus an overlay of edited orders.
"""

from array import array
from bisect import bisect_left
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache, partial
from heapq import merge
from itertools import islice
from typing import Any

from sandbox.brand.calendar import business_cutoff, calendar_build
from sandbox.brand.catalog import catalog_build
from sandbox.brand.index import LABEL_BITS, ORDER_BITS, STATUSES, index_build, keys_from, order_key
from sandbox.brand.orders import FIRST_NUMBER, Context, OrderPlan, order_id, order_plan, shippo_of
from sandbox.brand.seeds import stream, to_ms
from sandbox.brand.shipping import Label
from sandbox.brand.shippo import (
    SHIPMENT_LEAD_MS,
    parse_id,
    parse_tracking,
    shipment_json,
    shippo_order_json,
    track_json,
    tracking_number,
    transaction_json,
)
from sandbox.brand.squarespace import inventory_json, order_json
from sandbox.brand.truth import OrderTruth, Truth, order_truth

JSON = dict[str, Any]
SCALES = {"demo": 6_000, "bench": 250_000}


@dataclass(frozen=True)
class OrderPage:
    """One page of Squarespace orders and the key to continue after it (None: last page)."""

    orders: list[JSON]
    next_after: int | None


@dataclass(frozen=True)
class ShippoPage:
    """One page of Shippo objects and how many match in all."""

    results: list[JSON]
    count: int


def anchor_moment(anchor: date | datetime | None) -> datetime:
    """Return the anchor as an aware UTC datetime: a date means its midnight, None today's."""
    if anchor is None:
        anchor = datetime.now(UTC).date()
    if isinstance(anchor, datetime):
        return anchor.astimezone(UTC) if anchor.tzinfo else anchor.replace(tzinfo=UTC)
    return datetime.combine(anchor, time(0), tzinfo=UTC)


class Brand:
    """A deterministic store: Squarespace orders and inventory, Shippo labels, and the truth."""

    def __init__(
        self,
        *,
        seed: int = 1,
        scale: str = "demo",
        anchor: date | datetime | None = None,
        orders: int | None = None,
    ) -> None:
        self.seed = seed
        self.scale = scale
        self.anchor = anchor_moment(anchor)
        self.catalog = catalog_build(seed=seed)
        total = SCALES[scale] if orders is None else orders
        calendar = calendar_build(seed=seed, anchor_ms=to_ms(self.anchor), total=total)
        self.ctx = Context(seed, self.catalog, calendar)
        self.total = total
        self._cached_plan = lru_cache(maxsize=8192)(partial(order_plan, self.ctx))
        self._edits: dict[int, OrderPlan] = {}
        self._edit_rounds = 0
        cutoff_ms = to_ms(business_cutoff(self.anchor))
        self.truth = Truth(awaiting_cutoff_ms=cutoff_ms, inventory_rows=len(self.catalog.variants))
        self._index = index_build(total, self._cached_plan, self._judge, self.truth)

    @property
    def awaiting_cutoff(self) -> datetime:
        """Return when "awaiting a label" starts: two business days before the anchor."""
        return business_cutoff(self.anchor)

    def plan(self, index: int) -> OrderPlan:
        """Return order `index` as it stands now, edits included."""
        return self._edits.get(index) or self._cached_plan(index)

    def _judge(self, plan: OrderPlan) -> OrderTruth:
        """Return how one order was broken."""
        cutoff, anchor = self.truth.awaiting_cutoff_ms, self.ctx.anchor_ms
        return order_truth(plan, awaiting_cutoff_ms=cutoff, anchor_ms=anchor)

    def order_truth(self, number: str) -> OrderTruth | None:
        """Return the truth about any order by its number, broken or not."""
        index = self._index_of_number(number)
        return None if index is None else self._judge(self.plan(index))

    # Squarespace

    def order_json(self, plan: OrderPlan) -> JSON:
        """Render one plan as a Squarespace Order."""
        return order_json(self.ctx, plan, self._written_back(plan))

    def _written_back(self, plan: OrderPlan) -> list[tuple[Label, str]]:
        """Return the labels Shippo wrote back to Squarespace as shipments, with numbers."""
        if plan.fulfillment != "FULFILLED" or plan.shippo is None:
            return []
        valid = plan.shippo.valid_labels
        shipped = valid[:1] if plan.shippo.multiple == "duplicate" else valid
        return [(lb, tracking_number(self.seed, plan.index, lb)) for lb in shipped]

    def order(self, order_id_: str) -> JSON | None:
        """Return the Squarespace Order with id `order_id_`, or None."""
        if len(order_id_) != 24:
            return None
        try:
            index = int(order_id_[18:], 16)
        except ValueError:
            return None
        if index >= self.total:
            return None
        plan = self.plan(index)
        matches = order_id(self.seed, index, plan.created_ms) == order_id_
        return self.order_json(plan) if matches else None

    def order_by_number(self, number: str) -> JSON | None:
        """Return the Squarespace Order numbered `number`, or None."""
        index = self._index_of_number(number)
        return None if index is None else self.order_json(self.plan(index))

    def _index_of_number(self, number: str) -> int | None:
        """Return the index of the order numbered `number`, or None."""
        index = int(number) - FIRST_NUMBER if number.isdigit() else -1
        return index if 0 <= index < self.total else None

    def orders_page(
        self,
        *,
        modified_after: datetime | None = None,
        modified_before: datetime | None = None,
        after: int | None = None,
        limit: int = 50,
        fulfillment_status: str | None = None,
    ) -> OrderPage:
        """Return orders by modifiedOn, after < modifiedOn <= before, continuing after a key."""
        low = 0 if modified_after is None else order_key(to_ms(modified_after) + 1, 0)
        low = max(low, 0 if after is None else after + 1)
        high = None if modified_before is None else order_key(to_ms(modified_before) + 1, 0)
        keys = self._modified_keys(low, high, fulfillment_status)
        picked = list(islice(keys, limit + 1))
        plans = [self.plan(key & ((1 << ORDER_BITS) - 1)) for key in picked[:limit]]
        more = len(picked) > limit
        return OrderPage([self.order_json(p) for p in plans], picked[limit - 1] if more else None)

    def _modified_keys(self, low: int, high: int | None, status: str | None) -> Any:
        """Yield order keys from `low` below `high`, edits merged in, filtered by status."""
        mask = (1 << ORDER_BITS) - 1
        base = (k for k in keys_from(self._index.modified, low) if k & mask not in self._edits)
        edited = sorted(order_key(p.modified_ms, i) for i, p in self._edits.items())
        overlay = (k for k in edited if k >= low)
        for key in merge(base, overlay):
            if high is not None and key >= high:
                return
            if status is None or self._status_of(key & mask) == status:
                yield key

    def _status_of(self, index: int) -> str:
        """Return the fulfillment status of an order without drawing it."""
        edited = self._edits.get(index)
        return edited.fulfillment if edited else STATUSES[self._index.status[index]]

    def inventory(self) -> list[JSON]:
        """Return every Squarespace inventory item."""
        return inventory_json(self.catalog)

    # Shippo

    def transactions_page(
        self, *, page: int = 1, results: int = 25, created_gte: datetime | None = None
    ) -> ShippoPage:
        """Return Shippo transactions, newest first, optionally only those created since."""
        chosen, count = self._newest_first(
            self._index.labels, created_gte, LABEL_BITS, page, results
        )
        return ShippoPage([self._transaction_by_key(k) for k in chosen], count)

    def _transaction_by_key(self, key: int) -> JSON:
        """Render the label behind an index key."""
        return self._by_label_key(key, transaction_json)

    def _by_label_key(self, key: int, render: Any) -> JSON:
        """Render the label behind an index key with `render(ctx, plan, label)`."""
        index, k = key >> 2 & ((1 << ORDER_BITS) - 1), key & 3
        plan = self.plan(index)
        rendered: JSON = render(self.ctx, plan, _label(plan, k))
        return rendered

    def _label_of(self, object_id: str) -> tuple[OrderPlan, Label] | None:
        """Return the order and label an id ending in index and position points at, or None."""
        tail = parse_id(object_id, 8)
        if tail is None or tail >> 8 >= self.total:
            return None
        plan, k = self.plan(tail >> 8), tail & 0xFF
        labels = plan.shippo.labels if plan.shippo else ()
        found = [lb for lb in labels if lb.k == k]
        return (plan, found[0]) if found else None

    def shipments_page(
        self, *, page: int = 1, results: int = 25, created_gte: datetime | None = None
    ) -> ShippoPage:
        """Return Shippo shipments (one per label), newest first, optionally created since."""
        # A shipment precedes its label by a fixed lead, so the label index orders both.
        since = (
            None if created_gte is None else created_gte + timedelta(milliseconds=SHIPMENT_LEAD_MS)
        )
        chosen, count = self._newest_first(self._index.labels, since, LABEL_BITS, page, results)
        return ShippoPage([self._by_label_key(k, shipment_json) for k in chosen], count)

    def shipment(self, object_id: str) -> JSON | None:
        """Return the Shippo Shipment with `object_id`, or None."""
        found = self._label_of(object_id)
        shipment = shipment_json(self.ctx, *found) if found else None
        return shipment if shipment is not None and shipment["object_id"] == object_id else None

    def transaction(self, object_id: str) -> JSON | None:
        """Return the Shippo Transaction with `object_id`, or None."""
        found = self._label_of(object_id)
        tx = transaction_json(self.ctx, *found) if found else None
        return tx if tx is not None and tx["object_id"] == object_id else None

    def shippo_orders_page(
        self, *, page: int = 1, results: int = 25, start_date: datetime | None = None
    ) -> ShippoPage:
        """Return Shippo orders, newest first, optionally only those created since."""
        keys = self._index.shippo_orders
        chosen, count = self._newest_first(keys, start_date, ORDER_BITS, page, results)
        mask = (1 << ORDER_BITS) - 1
        return ShippoPage([shippo_order_json(self.ctx, self.plan(k & mask)) for k in chosen], count)

    def shippo_order(self, object_id: str) -> JSON | None:
        """Return the Shippo Order with `object_id`, or None."""
        index = parse_id(object_id, 6)
        if index is None or index >= self.total:
            return None
        plan = self.plan(index)
        if plan.shippo is None or plan.shippo.relayed_ms is None:
            return None
        found = shippo_order_json(self.ctx, plan)
        return found if found["object_id"] == object_id else None

    def track(self, carrier: str, number: str) -> JSON | None:
        """Return the Shippo Track for a carrier and tracking number, or None."""
        parsed = parse_tracking(number)
        if parsed is None or parsed[0] >= self.total:
            return None
        plan = self.plan(parsed[0])
        labels = plan.shippo.labels if plan.shippo else ()
        for label in labels:
            same = label.k == parsed[1] and label.carrier == carrier
            if same and tracking_number(self.seed, plan.index, label) == number:
                return track_json(self.ctx, plan, label)
        return None

    def _newest_first(
        self, keys: "array[int]", since: datetime | None, bits: int, page: int, results: int
    ) -> tuple[list[int], int]:
        """Return one page of the keys at or after `since`, newest first, and how many match."""
        first = 0 if since is None else bisect_left(keys, to_ms(since) << bits)
        count = len(keys) - first
        top = len(keys) - (page - 1) * results
        chosen = [keys[p] for p in range(top - 1, max(first, top - results) - 1, -1)]
        return chosen, count

    # Edits

    def edit_orders(self, *, count: int, at: datetime) -> list[str]:
        """Edit `count` orders at `at` (after the anchor): fulfil pending ones, refund shipped ones.

        Returns the Squarespace ids edited, so a test can check an incremental sync finds them.
        """
        at_ms = to_ms(at)
        if at_ms <= self.ctx.anchor_ms:
            raise ValueError("edits happen after the anchor")
        rng = stream(self.seed, "edits", self._edit_rounds)
        self._edit_rounds += 1
        edited: list[str] = []
        tried: set[int] = set(self._edits)
        while len(edited) < count and len(tried) < self.total:
            index = rng.randrange(self.total)
            changed = None if index in tried else _edited(self.plan(index), at_ms)
            tried.add(index)
            if changed is not None:
                self._apply(changed)
                edited.append(order_id(self.seed, index, changed.created_ms))
        return edited

    def _apply(self, plan: OrderPlan) -> None:
        """Put an edited plan in the overlay and move the truth with it."""
        old = self.plan(plan.index)
        self.truth.add(old, self._judge(old), -1)
        self._edits[plan.index] = plan
        self.truth.add(plan, self._judge(plan))


def _edited(plan: OrderPlan, at_ms: int) -> OrderPlan | None:
    """Return `plan` after a real change at `at_ms`, or None if it takes no edit."""
    if plan.testmode or plan.fulfillment == "CANCELED" or plan.payment_state == "REFUNDED":
        return None
    if plan.fulfillment == "PENDING":
        return replace(plan, fulfillment="FULFILLED", fulfilled_ms=at_ms, modified_ms=at_ms)
    refund = min(plan.money.grand - plan.refunded, max(1, plan.money.grand // 10))
    if refund <= 0:
        return None
    return replace(plan, refunded=plan.refunded + refund, refunded_ms=at_ms, modified_ms=at_ms)


def _label(plan: OrderPlan, k: int) -> Label:
    """Return label `k` of an order known to have it."""
    return next(lb for lb in shippo_of(plan).labels if lb.k == k)
