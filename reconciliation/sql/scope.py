"""What an incremental run judges: the rows queued as changed and everything they touch.

Triggers (migration 0003) queue every order, label and Shippo order written, and the pair of
every staff decision. A run takes the queue, adds the orders whose flags time alone changes
(`recheck_at` passed), then closes over the links: the labels of those orders (by stored
link, by number, by decision), the orders those labels name or named, and the orphan or
probable labels whose time window holds one of those orders, until nothing new joins. So the
run ends where a full run would. The sets are small, so they travel as arrays and the
planner probes indexes.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from reconciliation.sql.common import (
    DECISION,
    LABEL,
    LINK,
    MEMO,
    ORDER,
    QUEUE,
    READER,
    RESULT,
    SHIPPO,
    fetch,
    number_of,
)
from reconciliation.sql.numbers import memo_add, unread

LABEL_NUMBER = f"coalesce(nullif({number_of('s.order_number')}, ''), {number_of('l.metadata')})"
LABEL_SOURCES = (
    f"LEFT JOIN {SHIPPO} s ON s.connection_id = l.connection_id "
    "AND s.object_id = l.shippo_order_object_id AND l.shippo_order_object_id <> ''"
)
# Take the queue, add the results time alone changes, and find the texts of the changed rows
# neither reader has read yet (rows with a kind, then texts with none).
_TAKEN = "ARRAY(SELECT row_id FROM taken WHERE kind = '{}')"
TAKE = (
    f"WITH taken AS (DELETE FROM {QUEUE} RETURNING kind, row_id, old_text), "
    f"texts AS (SELECT order_number AS t FROM {ORDER} WHERE id = ANY({_TAKEN.format('order')}) "
    f"UNION ALL SELECT metadata FROM {LABEL} WHERE id = ANY({_TAKEN.format('label')}) "
    f"UNION ALL SELECT order_number FROM {SHIPPO} "
    f"WHERE id = ANY({_TAKEN.format('shippo_order')}) "
    "UNION ALL SELECT old_text FROM taken WHERE old_text <> '') "
    "SELECT kind, row_id, old_text FROM taken "
    f"UNION ALL SELECT 'order', order_id, '' FROM {RESULT} WHERE recheck_at <= %(now)s "
    f"UNION ALL SELECT NULL, NULL, t FROM ({unread('SELECT t FROM texts')}) u(t)"
)
# The orders with a number the CTE `named(n)` holds (read by the database function or memo).
_NAMED = (
    f"SELECT o.id FROM {ORDER} o WHERE {READER}(o.order_number) = ANY(ARRAY(SELECT n FROM named)) "
    f"UNION SELECT o.id FROM {MEMO} m JOIN {ORDER} o ON o.order_number = m.text "
    "WHERE m.number = ANY(ARRAY(SELECT n FROM named))"
)


@dataclass
class Reach:
    """The orders and labels an incremental run judges."""

    orders: set[int] = field(default_factory=set)
    labels: set[int] = field(default_factory=set)


def reach_of(taken: list[tuple[Any, ...]], *, window: timedelta) -> Reach:
    """Return everything an incremental run must judge, from the rows TAKE took."""
    ids: dict[str, set[int]] = {"order": set(), "label": set(), "shippo_order": set()}
    old_texts, unread_texts = [], []
    for kind, pk, text in taken:
        if kind is None:
            unread_texts.append((text,))
            continue
        ids[kind].add(pk)
        if text:
            old_texts.append(text)
    memo_add(unread_texts)
    arrays = {"shippo": sorted(ids["shippo_order"]), "old_texts": old_texts}
    reach = Reach(ids["order"], ids["label"])
    if ids["shippo_order"]:
        for kind, pk in fetch(_SHIPPO_REACH, arrays):
            (reach.orders if kind == "order" else reach.labels).add(pk)
    reach_close(reach, set(reach.orders), set(reach.labels), window=window)
    return reach


# The labels of new or edited Shippo orders, and the orders they name (or named before).
_SHIPPO_REACH = (
    f"WITH numbers AS (SELECT {number_of('s.order_number')} AS n FROM {SHIPPO} s "
    "WHERE s.id = ANY(%(shippo)s::bigint[]) "
    f"UNION SELECT {number_of('t.t')} FROM unnest(%(old_texts)s::text[]) t(t)), "
    "named AS (SELECT n FROM numbers WHERE n <> '') "
    f"SELECT 'label', l.id FROM {SHIPPO} s JOIN {LABEL} l ON l.connection_id = s.connection_id "
    "AND l.shippo_order_object_id = s.object_id WHERE s.id = ANY(%(shippo)s::bigint[]) "
    f"UNION SELECT 'order', x.id FROM ({_NAMED}) x"
)


def reach_close(reach: Reach, orders: set[int], labels: set[int], *, window: timedelta) -> None:
    """Grow `reach` from the orders and labels just added to it until nothing new joins."""
    while orders or labels:
        found = _labels_of(orders, window) - reach.labels
        reach.labels |= found
        orders = _orders_of(labels | found) - reach.orders
        reach.orders |= orders
        labels = set()


def _labels_of(orders: set[int], window: timedelta) -> set[int]:
    """Return the labels of these orders and of orders sharing their numbers, the unlinked
    labels naming those numbers, and the orphan or probable labels near them in time."""
    if not orders:
        return set()
    rows = fetch(
        f"WITH o AS (SELECT o.id, {number_of('o.order_number')} AS number, o.created_on "
        f"FROM {ORDER} o WHERE o.id = ANY(%(ids)s::bigint[])), "
        "named AS (SELECT number AS n FROM o WHERE number <> ''), "
        f"sharing AS ({_NAMED}) "
        f"SELECT label_id FROM {LINK} WHERE order_id = ANY(%(ids)s::bigint[]) "
        # ARRAY(...) makes these index probes, not a join over the whole index.
        f"UNION SELECT label_id FROM {LINK} WHERE order_id = ANY(ARRAY(SELECT id FROM sharing)) "
        f"UNION SELECT label_id FROM {LINK} WHERE order_id IS NULL "
        "AND number IN (SELECT n FROM named) "
        f"UNION SELECT label_id FROM {DECISION} WHERE order_id = ANY(%(ids)s::bigint[]) "
        # The orphan and probable labels whose time window holds one of these orders.
        f"UNION SELECT k.label_id FROM {LINK} k JOIN {LABEL} l ON l.id = k.label_id "
        "WHERE (k.orphan OR k.kind = 'probable') AND EXISTS (SELECT 1 FROM o "
        "WHERE o.created_on BETWEEN l.object_created - %(window)s AND l.object_created)",
        {"ids": sorted(orders), "window": window},
    )
    return {pk for (pk,) in rows}


def _orders_of(labels: set[int]) -> set[int]:
    """Return the orders these labels are linked to, name, or were decided for."""
    if not labels:
        return set()
    rows = fetch(
        f"WITH numbers AS (SELECT DISTINCT {LABEL_NUMBER} AS n FROM {LABEL} l {LABEL_SOURCES} "
        "WHERE l.id = ANY(%(ids)s::bigint[])), named AS (SELECT n FROM numbers WHERE n <> '') "
        f"SELECT order_id FROM {LINK} WHERE label_id = ANY(%(ids)s::bigint[]) "
        "AND order_id IS NOT NULL "
        f"UNION SELECT order_id FROM {DECISION} WHERE label_id = ANY(%(ids)s::bigint[]) "
        f"UNION {_NAMED}",
        {"ids": sorted(labels)},
    )
    return {pk for (pk,) in rows}
