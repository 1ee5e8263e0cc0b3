"""Compact sorted indexes over every order, built in one pass that also tallies the truth.

Each index is one `array('q')` of composite keys, `time << bits | position`, so sorting, range
search and decoding need no per-row Python objects: 250,000 orders cost a few megabytes.
"""

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sandbox.brand.orders import OrderPlan
from sandbox.brand.truth import OrderTruth, Truth

ORDER_BITS = 20  # up to 1,048,575 orders
LABEL_BITS = ORDER_BITS + 2  # and up to four labels per order
MAX_ORDERS = 1 << ORDER_BITS
STATUSES = ("PENDING", "FULFILLED", "CANCELED")


def order_key(ms: int, index: int) -> int:
    """Return the sort key of an order at `ms`."""
    return ms << ORDER_BITS | index


def label_key(ms: int, index: int, k: int) -> int:
    """Return the sort key of label `k` of order `index`, bought at `ms`."""
    return ms << LABEL_BITS | index << 2 | k


@dataclass
class BrandIndex:
    """The sorted keys the listings page through, and the status of each order."""

    modified: "array[int]"  # order_key(modifiedOn, index), ascending
    status: bytearray  # STATUSES position per order, for fulfillmentStatus filters
    labels: "array[int]"  # label_key(object_created, index, k), ascending
    shippo_orders: "array[int]"  # order_key(relayed, index), ascending


def index_build(
    total: int, plan_of: Callable[[int], OrderPlan], judge: Callable[[OrderPlan], OrderTruth],
    truth: Truth,
) -> BrandIndex:  # fmt: skip
    """Draw every order once, keeping only keys and the truth tally."""
    if total > MAX_ORDERS:
        raise ValueError(f"at most {MAX_ORDERS} orders")
    modified: list[int] = []
    labels: list[int] = []
    relayed: list[int] = []
    status = bytearray(total)
    for index in range(total):
        plan = plan_of(index)
        modified.append(order_key(plan.modified_ms, index))
        status[index] = STATUSES.index(plan.fulfillment)
        _shippo_keys(plan, labels, relayed)
        truth.add(plan, judge(plan))
    return BrandIndex(_sorted(modified), status, _sorted(labels), _sorted(relayed))


def _shippo_keys(plan: OrderPlan, labels: list[int], relayed: list[int]) -> None:
    """Collect the keys of an order's Shippo objects."""
    shippo = plan.shippo
    if shippo is None or shippo.relayed_ms is None:
        return
    relayed.append(order_key(shippo.relayed_ms, plan.index))
    labels.extend(label_key(lb.created_ms, plan.index, lb.k) for lb in shippo.labels)


def _sorted(keys: list[int]) -> "array[int]":
    """Return `keys` sorted, packed as 64-bit integers."""
    keys.sort()
    return array("q", keys)


def keys_from(keys: "array[int]", low: int) -> Iterator[int]:
    """Yield the keys not below `low`, in order."""
    for position in range(bisect_left(keys, low), len(keys)):
        yield keys[position]
