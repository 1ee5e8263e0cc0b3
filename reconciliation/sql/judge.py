"""Judge in the database: link labels to orders, then flag every order, set by set.

r_order and r_label hold the rows judged (all of them, or an incremental run's reach). Each
r_label row carries its link: the oldest order with its number, else the order staff
confirmed last, else the order the probable rule of reconciliation.matching chose (Python,
for the few valid labels nothing else links). Per order, the labels are folded into counts
and bits of rules.Signs; the signs make a number, and rules.flags_from gives the flags of
every number once. The questions SQL would answer differently from Python (ZIPs that differ
as text, the moment an unlabelled order passes its SLA) go to reconciliation.rules for the
few rows that need them.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from reconciliation.matching import LabelCandidate, OrderCandidate, probable_choose, probable_fits
from reconciliation.models import Decision
from reconciliation.rules import (
    DAY,
    SIGNS,
    STALE_STATUSES,
    Clock,
    Signs,
    Thresholds,
    bucket_of,
    flags_from,
    sla_ends,
    zip_differs,
)
from reconciliation.sql.common import (
    DECISION,
    LINK,
    ORDER,
    SHIPPO,
    excluded,
    fetch,
    number_of,
    temp,
)
from reconciliation.sql.scope import Reach
from reconciliation.world import sizes_load

STALE = "(" + ", ".join(f"'{status}'" for status in sorted(STALE_STATUSES)) + ")"


@dataclass
class Scope:
    """What a run judges (every row, or what `reach` holds), and against which moments."""

    clock: Clock
    limits: Thresholds
    reach: Reach | None = None

    @property
    def full(self) -> bool:
        return self.reach is None

    @property
    def window(self) -> timedelta:
        return self.limits.probable_window_days * DAY

    def only(self, alias: str, kind: str) -> str:
        """Return the condition keeping a scoped run to its orders or labels."""
        return "" if self.reach is None else f"WHERE {alias}.id = ANY(%({kind})s::bigint[])"

    def params(self) -> dict[str, Any]:
        """Return the moments, spans and (for a scope) the ids the statements read."""
        clock, limits = self.clock, self.limits
        ids = {} if self.reach is None else {
            "orders": sorted(self.reach.orders), "labels": sorted(self.reach.labels)
        }  # fmt: skip
        return {
            "sla": clock.sla_cutoff,
            "settled": clock.settled_before,
            "stale": clock.stale_before,
            "settle": limits.label_not_fulfilled_days * DAY,
            "stale_after": limits.stale_tracking_days * DAY,
            "confirm": Decision.CONFIRM.value,
            **ids,
        }


def _sign(name: str, condition: str) -> str:
    """Return SQL setting the bit of one of rules.SIGNS when `condition` holds."""
    return f"(({condition})::int << {SIGNS.index(name)})"


_IN_SHIPPO_ALL = "x.number IN (SELECT number FROM r_shippo)"
_IN_SHIPPO_INDEXED = (
    f"(EXISTS (SELECT 1 FROM {SHIPPO} s WHERE reconciliation_order_number(s.order_number) "
    "= x.number::text) OR EXISTS (SELECT 1 FROM reconciliation_numbertext m JOIN "
    f"{SHIPPO} s ON s.order_number = m.text WHERE m.number = x.number::text))"
)


def _key(column: str) -> str:
    """Return SQL for the number `column` names as a bigint (NULL for none): numbers have at
    most 12 digits, and integers hash and compare faster than text."""
    return f"nullif({number_of(column)}, '')::bigint"


def load(scope: Scope, *, confirmed: bool) -> list[str]:
    """Return the statements loading the orders and labels judged, each label linked.

    `confirmed`: staff confirmed some probable match (else there is no decision to join).
    """
    shippo = (
        ""
        if scope.full
        else "WHERE (s.connection_id, s.object_id) IN (SELECT l.connection_id, "
        "l.shippo_order_object_id FROM integrations_label l "
        "WHERE l.id = ANY(%(labels)s::bigint[]))"
    )
    in_shippo = "x.number IS NOT NULL AND " + (_IN_SHIPPO_ALL if scope.full else _IN_SHIPPO_INDEXED)
    fulfilled, pending = "x.fulfillment = 'FULFILLED'", "x.fulfillment = 'PENDING'"
    # Staff's last confirmation links a label no number links.
    decisions = (
        f"LEFT JOIN (SELECT DISTINCT ON (label_id) label_id, order_id FROM {DECISION} "
        "WHERE decision = %(confirm)s ORDER BY label_id, id DESC) d "
        "ON d.label_id = y.id AND f.order_id IS NULL"
        if confirmed
        else ""
    )
    decided = "d.order_id" if confirmed else "NULL::bigint"
    return [
        temp(
            "r_shippo",
            f"SELECT s.connection_id, s.object_id, {_key('s.order_number')} AS number "
            f"FROM {SHIPPO} s {shippo}",
        ),
        temp(
            "r_order",
            f"SELECT x.*, {_sign('excluded', 'x.excluded')} | {_sign('awaiting', 'x.awaiting')} "
            f"| {_sign('in_shippo', in_shippo)} | {_sign('fulfilled', fulfilled)} "
            f"| {_sign('pending', pending)} AS signs "
            f"FROM (SELECT o.id, {_key('o.order_number')} AS number, o.created_on, "
            "o.modified_on, o.fulfillment_status AS fulfillment, "
            f"{excluded('o')} AS excluded, o.created_on >= %(sla)s AS awaiting, "
            "o.ship_postal_code AS zip, o.ship_country AS country "
            f"FROM {ORDER} o {scope.only('o', 'orders')} "
            "OFFSET 0) x",
        ),
        temp(
            "r_label",
            f"SELECT y.*, coalesce(f.order_id, {decided}) AS order_id, "
            "CASE WHEN f.order_id IS NOT NULL THEN 'exact' "
            f"WHEN {decided} IS NOT NULL THEN 'confirmed' END AS kind, "
            f"CASE WHEN coalesce(f.order_id, {decided}) IS NOT NULL THEN 1.0::float8 "
            "END AS confidence, CASE WHEN f.n = 1 THEN f.zip END AS order_zip, "
            "CASE WHEN f.n = 1 THEN f.country END AS order_country, false AS zip_differs "
            "FROM (SELECT l.id, CASE WHEN s.number IS NOT NULL THEN s.number "
            f"ELSE {_key('l.metadata')} END AS number, "
            "(l.object_state = 'VALID' AND l.status = 'SUCCESS') AS valid, "
            "l.object_created AS created, l.object_updated, l.object_state, l.status, "
            "l.tracking_status, l.tracking_number, l.recipient_zip AS zip, "
            "l.recipient_country AS country FROM integrations_label l LEFT JOIN r_shippo s "
            "ON s.connection_id = l.connection_id AND s.object_id = l.shippo_order_object_id "
            "AND l.shippo_order_object_id <> '' "
            f"{scope.only('l', 'labels')} OFFSET 0) y "
            # Who owns each number (the oldest order), and where it ships if it is the only one.
            "LEFT JOIN (SELECT number, min(id) AS order_id, count(*) AS n, min(zip) AS zip, "
            "min(country) AS country FROM r_order WHERE number IS NOT NULL GROUP BY number) f "
            f"ON f.number = y.number {decisions}",
        ),
    ]


CANDIDATES = "SELECT id, created, zip, country FROM r_label WHERE valid AND order_id IS NULL"


def links_probable(scope: Scope, candidates: list[tuple[Any, ...]]) -> dict[int, Any]:
    """Propose orders for the valid labels still unlinked; return label -> (order, confidence)."""
    if not candidates:
        return {}
    labels = [LabelCandidate(*row) for row in candidates]
    orders = [OrderCandidate(*row) for row in _unserved_orders(scope, labels)]
    window = scope.limits.probable_window_days
    rejected = {
        (order, label)
        for order, label in fetch(
            f"SELECT order_id, label_id FROM {DECISION} WHERE decision = %(reject)s",
            {"reject": Decision.REJECT.value},
        )
    }
    fits = probable_fits(labels, orders, window_days=window, rejected=rejected)
    if not fits:
        return {}
    order_pks = sorted({o.pk for fitting in fits.values() for o in fitting})
    parcels, items = sizes_load(sorted(label.pk for label in fits), order_pks)
    chosen = probable_choose(fits, parcels=parcels, items=items, window_days=window)
    return {pk: (p.order_pk, p.confidence) for pk, p in chosen.items()}


def _unserved_orders(scope: Scope, labels: list[LabelCandidate]) -> list[tuple[Any, ...]]:
    """Return the orders not excluded and with no valid linked label, near the labels' times."""
    served = "EXISTS (SELECT 1 FROM r_label l WHERE l.order_id = o.id AND l.valid)"
    if scope.full:
        return fetch(
            "SELECT o.id, o.created_on, o.zip, o.country FROM r_order o WHERE NOT o.excluded "
            f"AND o.created_on BETWEEN %(lo)s AND %(hi)s AND NOT {served}",
            {
                "lo": min(label.created for label in labels) - scope.window,
                "hi": max(label.created for label in labels),
            },
        )
    # Outside the reach nothing changed, so an order's stored links still say if it is served.
    stored = (
        f"EXISTS (SELECT 1 FROM {LINK} k WHERE k.order_id = o.id AND k.kind IN "
        "('exact', 'confirmed') AND k.object_state = 'VALID' AND k.status = 'SUCCESS')"
    )
    return fetch(
        "SELECT DISTINCT o.id, o.created_on, o.ship_postal_code, o.ship_country "
        f"FROM unnest(%(times)s::timestamptz[]) c(created) JOIN {ORDER} o "
        "ON o.created_on BETWEEN c.created - %(window)s AND c.created "
        f"WHERE NOT {excluded('o')} AND NOT CASE WHEN o.id IN (SELECT id FROM r_order) "
        f"THEN {served} ELSE {stored} END",
        {"times": [label.created for label in labels], "window": scope.window},
    )


def probable_link(chosen: dict[int, Any]) -> tuple[list[str], dict[str, Any]]:
    """Return the statement linking the labels the probable rule placed, and its parameters."""
    if not chosen:
        return [], {}
    labels = list(chosen)
    statement = (
        "UPDATE r_label l SET order_id = p.order_id, kind = 'probable', "
        "confidence = p.confidence FROM unnest(%(p_labels)s::bigint[], %(p_orders)s::bigint[], "
        "%(p_confidence)s::float8[]) AS p(label_id, order_id, confidence) "
        "WHERE l.id = p.label_id"
    )
    return [statement], {
        "p_labels": labels,
        "p_orders": [chosen[pk][0] for pk in labels],
        "p_confidence": [chosen[pk][1] for pk in labels],
    }


# The valid labels whose ZIP text differs from their order's (or whose order's is not known).
ZIP_PAIRS = (
    "SELECT l.id, coalesce(l.order_zip, o.zip), coalesce(l.order_country, o.country), l.zip, "
    "l.country FROM (SELECT * FROM r_label WHERE valid AND zip <> '' AND order_id IS NOT NULL "
    "AND (order_zip IS NULL OR zip <> order_zip)) l "
    "LEFT JOIN r_order o ON o.id = l.order_id AND l.order_zip IS NULL"
)
ZIP_MARK = "UPDATE r_label SET zip_differs = true WHERE id = ANY(%(zips)s::bigint[])"
# sla_ends is at most days + 9 days after the order: older orders are past it for good.
RECENT = "SELECT id, created_on FROM r_order WHERE NOT excluded AND created_on > %(horizon)s"


def zips_differing(pairs: list[tuple[Any, ...]]) -> list[int]:
    """Return the labels whose ZIP differs from their order's (rules.zip_differs decides)."""
    return [pk for pk, *zips in pairs if zip_differs(*zips)]


def sla_params(scope: Scope, recent: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Return when the recent orders pass their SLA (rules.sla_ends), where still ahead."""
    days, now = scope.limits.sla_business_days, scope.clock.now
    ends = {pk: moment for pk, created in recent if (moment := sla_ends(created, days)) > now}
    return {"sla_ids": list(ends), "sla_ends": list(ends.values())}


def horizon(scope: Scope) -> dict[str, Any]:
    """Return the parameter RECENT reads."""
    return {"horizon": scope.clock.now - (scope.limits.sla_business_days + 9) * DAY}


# What each label says about its order (rules.SIGNS bits), and how it was linked.
_LABEL_SIGNS = " | ".join(
    (
        _sign("settled", "l.valid AND l.created < %(settled)s"),
        _sign("zip", "l.valid AND l.zip_differs"),
        _sign("stale", f"l.valid AND l.tracking_status IN {STALE} AND l.created < %(stale)s"),
        _sign("returned", "l.valid AND l.tracking_status = 'RETURNED'"),
        _sign("probable", "l.valid AND l.kind = 'probable'"),
    )
)
KINDS = ("exact", "confirmed", "probable")  # strongest first
# How the labels were linked, in the bits above the signs' (one aggregate for both).
KIND_SHIFT = 16
_KIND_BITS = " | ".join(
    f"((l.kind = '{kind}')::int << {KIND_SHIFT + i})" for i, kind in enumerate(KINDS)
)
_VALID = "count(*) FILTER (WHERE l.valid)"
_SIGNS_MASK = (1 << len(SIGNS)) - 1
_FOLD = (
    f"SELECT l.order_id, count(*) AS n_all, bit_or({_LABEL_SIGNS} | {_KIND_BITS}) "
    f"| {_sign('any_label', 'true')} | {_sign('labelled', f'{_VALID} > 0')} "
    f"| {_sign('multiple', f'{_VALID} > 1')} AS signs, "
    "min(l.id) AS first_id, min(l.tracking_number) AS first_tracking, "
    "min(l.confidence) AS confidence, "
    "min(l.created) FILTER (WHERE l.valid AND l.created > %(settled)s) AS settles, "
    "min(l.created) FILTER (WHERE l.valid AND l.created > %(stale)s "
    f"AND l.tracking_status IN {STALE}) AS stales "
    "FROM r_label l WHERE l.order_id IS NOT NULL GROUP BY l.order_id"
)
# Whether this session holds r_code yet, and whether staff confirmed any probable match.
PROBE = (
    "SELECT to_regclass('pg_temp.r_code') IS NOT NULL, "
    f"EXISTS (SELECT 1 FROM {DECISION} WHERE decision = %(confirm)s)"
)
# Every combination of signs with its flags and bucket, once per database session.
CODES = (
    "CREATE TEMP TABLE r_code AS SELECT * FROM unnest(%(codes)s::int[], "
    "%(code_flags)s::jsonb[], %(code_buckets)s::text[]) AS c(code, flags, bucket)"
)


@cache
def codes_params() -> dict[str, Any]:
    """Return every combination of signs as a number, and the flags and bucket it gives."""
    codes = list(range(1 << len(SIGNS)))
    flags = [flags_from(Signs(*(code >> i & 1 == 1 for i in range(len(SIGNS))))) for code in codes]
    return {
        "codes": codes,
        "code_flags": [json.dumps(f) for f in flags],
        "code_buckets": [bucket_of(f) for f in flags],
    }


_LABELLED = f"(coalesce(a.signs, 0) & {1 << SIGNS.index('labelled')} <> 0)"
_KIND = (
    "CASE "
    + " ".join(
        f"WHEN a.signs & {1 << (KIND_SHIFT + i)} <> 0 THEN '{kind}'" for i, kind in enumerate(KINDS)
    )
    + " ELSE '' END"
)
# One label: its id as JSON text is cheaper to parse than jsonb_build_array is to call.
# The fold stays in memory (a temporary table would go through the disk).
RESULTS = f"""
WITH r_fold AS MATERIALIZED ({_FOLD})
SELECT r.id AS order_id, c.bucket, c.flags,
    r.label_ids, r.tracking_numbers, r.match_kind, r.confidence, r.in_shippo, r.order_modified,
    r.recheck_at, r.since
FROM (SELECT o.id, (o.signs | coalesce(a.signs, 0)) & {_SIGNS_MASK} AS code,
    o.signs & {1 << SIGNS.index("in_shippo")} <> 0 AS in_shippo, o.created_on AS since,
    CASE WHEN a.n_all = 1 THEN ('[' || a.first_id || ']')::jsonb
        WHEN a.n_all > 1 THEN m.label_ids ELSE '[]'::jsonb END AS label_ids,
    CASE WHEN a.n_all > 1 THEN m.tracking WHEN a.first_tracking <> ''
        THEN jsonb_build_array(a.first_tracking) ELSE '[]'::jsonb END AS tracking_numbers,
    {_KIND} AS match_kind, a.confidence, o.modified_on AS order_modified,
    CASE WHEN o.excluded THEN NULL WHEN NOT {_LABELLED} THEN s.ends
        ELSE least(CASE WHEN o.fulfillment = 'PENDING' THEN a.settles + %(settle)s END,
            a.stales + %(stale_after)s) END AS recheck_at
    FROM r_order o LEFT JOIN r_fold a ON a.order_id = o.id
    -- The few orders with several labels list them in label order.
    LEFT JOIN (SELECT l.order_id, jsonb_agg(l.id ORDER BY l.id) AS label_ids,
        coalesce(jsonb_agg(l.tracking_number ORDER BY l.id)
            FILTER (WHERE l.tracking_number <> ''), '[]') AS tracking
        FROM r_label l WHERE l.order_id IN (SELECT order_id FROM r_fold WHERE n_all > 1)
        GROUP BY l.order_id) m ON m.order_id = o.id
    LEFT JOIN unnest(%(sla_ids)s::bigint[], %(sla_ends)s::timestamptz[]) AS s(order_id, ends)
        ON s.order_id = o.id
    OFFSET 0) r
JOIN r_code c ON c.code = r.code
"""
LINK_ROWS = """
SELECT l.id AS label_id, coalesce(l.number::text, '') AS number, l.order_id,
    coalesce(l.kind, '') AS kind, l.confidence, (l.valid AND l.order_id IS NULL) AS orphan,
    l.object_state, l.status, l.tracking_status, l.object_updated, l.created AS since
FROM r_label l
"""
