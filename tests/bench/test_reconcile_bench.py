"""Benchmark: reconcile 250k orders against 250k labels (and their Shippo orders).

The rows are written straight into PostgreSQL with COPY (no sync over HTTP): one label and one
Shippo order per order, with the usual breakages sprinkled in (missing, voided, duplicates,
ZIP typos, stale tracking). Then it times a first full run, an incremental run after 1,000
changes (500 orders, 500 labels), and a second full run that must find nothing left to write
(the incremental run left exactly what a full run would). Targets: full <= 5 s, incremental
<= 0.5 s.
"""

import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Model

from integrations.models import Connection, Label, Order, ShippoOrder
from reconciliation.engine import reconcile
from reconciliation.models import OrderResult
from tests.bench.harness import Row, print_table

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ORDERS = 250_000
CHANGES = 1_000
FULL_TARGET_S = 5.0
INCREMENTAL_TARGET_S = 0.5
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
START = NOW - timedelta(days=540)


def test_reconcile_at_bench_scale():
    loaded = _load()
    started = time.perf_counter()
    first = reconcile(full=True, now=NOW)
    full_s = time.perf_counter() - started
    _change(CHANGES // 2, CHANGES // 2)
    started = time.perf_counter()
    incremental = reconcile(now=NOW)
    incremental_s = time.perf_counter() - started
    started = time.perf_counter()
    again = reconcile(full=True, now=NOW)
    again_s = time.perf_counter() - started
    print_table(
        "Reconciliation, 250k orders x 250k labels",
        [
            Row("load: COPY orders, Shippo orders, labels", loaded[0], loaded[1]),
            Row("full reconcile (first run, all rows new)", first.orders_evaluated, full_s),
            Row(
                f"incremental after {CHANGES:,} changes",
                incremental.orders_evaluated,
                incremental_s,
                f"{incremental.results_written} results written",
            ),
            Row("full reconcile again (nothing to write)", again.orders_evaluated, again_s),
        ],
        [
            f"full: {full_s:.2f} s (target <= {FULL_TARGET_S} s)",
            f"incremental: {incremental_s:.3f} s (target <= {INCREMENTAL_TARGET_S} s)",
        ],
    )
    assert OrderResult.objects.count() == ORDERS
    assert again.results_written == 0
    assert full_s <= FULL_TARGET_S
    assert incremental_s <= INCREMENTAL_TARGET_S


def _load() -> tuple[int, float]:
    started = time.perf_counter()
    shop = Connection.objects.create(provider="squarespace", external_account_id="bench")
    shippo = Connection.objects.create(provider="shippo", external_account_id="bench")
    _copy(Order, ORDER_COLUMNS, _orders(shop.pk))
    _copy(ShippoOrder, SHIPPO_COLUMNS, _shippo_orders(shippo.pk))
    _copy(Label, LABEL_COLUMNS, _labels(shippo.pk))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return 3 * ORDERS, time.perf_counter() - started


def _copy(model: type[Model], columns: Sequence[str], rows: Iterator[tuple[object, ...]]) -> None:
    table = model._meta.db_table
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


ORDER_COLUMNS = (
    "connection_id", "provider_order_id", "order_number", "created_on", "modified_on",
    "fulfillment_status", "payment_state", "channel", "testmode", "currency", "subtotal",
    "shipping_total", "discount_total", "tax_total", "refunded_total", "grand_total",
    "email_hash", "ship_city", "ship_state", "ship_postal_code", "ship_country",
    "has_physical_items", "synced_at",
)  # fmt: skip


def _created(i: int) -> datetime:
    return START + timedelta(seconds=i * 180)


def _zip(i: int) -> str:
    return f"{10000 + i % 89_000:05d}"


def _orders(connection_id: int) -> Iterator[tuple[object, ...]]:
    for i in range(ORDERS):
        at = _created(i)
        status = "PENDING" if i % 97 == 0 else ("CANCELED" if i % 53 == 0 else "FULFILLED")
        yield (
            connection_id, f"o{i:023d}", str(1001 + i), at, at, status, "PAID", "web", False,
            "USD", 5000, 595, 0, 0, 0, 5595, "", "Austin", "TX", _zip(i), "US", True, at,
        )  # fmt: skip


SHIPPO_COLUMNS = (
    "connection_id", "object_id", "order_number", "order_status", "recipient_zip",
    "recipient_country",
)  # fmt: skip


def _shippo_orders(connection_id: int) -> Iterator[tuple[object, ...]]:
    for i in range(ORDERS):
        if i % 50 != 0:  # one in fifty never reached Shippo
            yield connection_id, f"so{i:030d}", f"Order #{1001 + i}", "PAID", _zip(i), "US"


LABEL_COLUMNS = (
    "connection_id", "object_id", "object_state", "status", "object_created", "object_updated",
    "test", "tracking_number", "carrier", "service_level", "tracking_status", "currency",
    "recipient_name", "recipient_zip", "recipient_country", "metadata", "rate_object_id",
    "shippo_order_object_id",
)  # fmt: skip


def _labels(connection_id: int) -> Iterator[tuple[object, ...]]:
    made = 0
    for i in range(ORDERS):
        if i % 50 == 0 or i % 71 == 0:  # never labelled
            continue
        yield _label(connection_id, i, made)
        made += 1
    for k in range(ORDERS - made):  # the rest are duplicates of some orders
        yield _label(connection_id, 7 * k + 3, made + k)


def _label(connection_id: int, i: int, n: int) -> tuple[object, ...]:
    at = _created(i) + timedelta(hours=20)
    status = "REFUNDED" if n % 149 == 0 else "SUCCESS"
    tracking = "PRE_TRANSIT" if n % 101 == 0 else "DELIVERED"
    zip_ = "99999" if n % 211 == 0 else _zip(i)
    return (
        connection_id, f"tx{n:030d}", "VALID", status, at, at, False, f"9400{n:018d}", "usps",
        "Ground", tracking, "USD", "", zip_, "US", f"#{1001 + i}", "", f"so{i:030d}",
    )  # fmt: skip


def _change(orders: int, labels: int) -> None:
    later = NOW - timedelta(hours=1)
    order_pks = list(Order.objects.order_by("pk").values_list("pk", flat=True)[: orders * 97 : 97])
    Order.objects.filter(pk__in=order_pks).update(fulfillment_status="FULFILLED", modified_on=later)
    every_label = Label.objects.order_by("pk").values_list("pk", flat=True)
    label_pks = list(every_label[5 : labels * 89 : 89])
    Label.objects.filter(pk__in=label_pks).update(tracking_status="RETURNED", object_updated=later)
