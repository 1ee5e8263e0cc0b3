"""Benchmark: Squarespace orders at bench scale (250k orders), against the PostgreSQL ceiling.

Prints, in one run: rows/s end to end (`manage.py sync squarespace` in a child process against
the sandbox in another), rows/s of the ingest stage alone (parsed pages to committed rows,
page by page, as the sync writes them), the raw PostgreSQL ceiling for the same pages (psycopg
COPY into a staging table, then INSERT ... ON CONFLICT, one transaction a page), a per-row
update_or_create baseline, and the sync's peak memory. Targets: ingest >= 50% of the ceiling,
peak memory < 300 MB.
"""

import json
import time
from collections.abc import Sequence
from dataclasses import asdict

import pytest
from django.db import connection, transaction

from integrations.models import Connection, Order, OrderLine
from integrations.squarespace.client import ConnectionAuth, SquarespaceClient
from integrations.squarespace.parse import OrderRecord
from integrations.squarespace.sync import ORDER_FIELDS, orders_write
from tests.bench.harness import Row, bench_report, print_table, run_child, sandbox_process
from tests.child_processes import child_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DEMO_KEY = "sqsp_demo_key"
SAMPLE_ORDERS = 20_000  # parsed once, then written three ways
BASELINE_ORDERS = 1_000
PEAK_MEMORY_TARGET_MB = 300
INGEST_SHARE_TARGET = 0.5

LINE_COLUMNS = (
    "provider_line_id", "line_type", "product_id", "variant_id", "sku", "product_name",
    "quantity", "unit_price",
)  # fmt: skip


def test_orders_sync_at_bench_scale():
    warm = "/squarespace/1.0/commerce/inventory"
    with sandbox_process(scale="bench", warm_path=warm, auth=DEMO_KEY) as url:
        base = f"{url}/squarespace"
        end_to_end, peak_mb, orders = _end_to_end(base)
        pages = _fetch_pages(base, SAMPLE_ORDERS)
    sample = sum(len(page) for page in pages)
    ingest = Row("ingest: parsed pages -> rows (sync writer)", sample, _ingest(pages))
    ceiling = Row("ceiling: COPY + INSERT ON CONFLICT", sample, _ceiling(pages))
    baseline_pages = _first_orders(pages, BASELINE_ORDERS)
    baseline = Row("baseline: per-row update_or_create", BASELINE_ORDERS, _baseline(baseline_pages))
    share = ingest.rate / ceiling.rate
    print_table(
        "Squarespace orders, bench scale",
        [end_to_end, ingest, ceiling, baseline],
        [
            f"orders stored end to end: {orders:,}",
            f"ingest / ceiling: {share:.0%} (target >= {INGEST_SHARE_TARGET:.0%})",
            f"peak memory of the sync process: {peak_mb:.0f} MB (target < {PEAK_MEMORY_TARGET_MB})",
        ],
    )
    _report(end_to_end, ingest, ceiling, baseline, peak_mb)
    assert share >= INGEST_SHARE_TARGET
    assert peak_mb < PEAK_MEMORY_TARGET_MB


def _report(end_to_end: Row, ingest: Row, ceiling: Row, baseline: Row, peak_mb: float) -> None:
    """Record the figures for the closing table, each rate also as a share of the ceiling."""
    share = ingest.rate / ceiling.rate
    for name, row, target, met in (
        ("orders: end to end (HTTP, parse, write)", end_to_end, "-", None),
        ("orders: ingest stage", ingest, f">= {INGEST_SHARE_TARGET:.0%} of ceiling",
         share >= INGEST_SHARE_TARGET),
        ("orders: update_or_create baseline", baseline, "reference", None),
    ):  # fmt: skip
        bench_report(name, row.rate, "rows/s", target, met=met, ratio=row.rate / ceiling.rate,
                     against="ceiling")  # fmt: skip
    bench_report("orders: PostgreSQL ceiling (COPY + upsert)", ceiling.rate, "rows/s", "reference",
                 met=None)  # fmt: skip
    bench_report("orders: peak memory of the sync", peak_mb, "MB", f"< {PEAK_MEMORY_TARGET_MB} MB",
                 met=peak_mb < PEAK_MEMORY_TARGET_MB)  # fmt: skip


def _end_to_end(base: str) -> tuple[Row, float, int]:
    env = {"DATABASE_URL": child_database_url(), "SQUARESPACE_API_URL": base, "REDIS_URL": ""}
    run_child(["connect", "squarespace", "--api-key", DEMO_KEY, "--json"], env)
    child = run_child(["sync", "squarespace", "--json"], env)
    runs = json.loads(child.stdout)["runs"]
    assert all(run["status"] == "succeeded" for run in runs), runs
    orders = Order.objects.count()
    row = Row("end to end: sandbox -> sync -> rows", orders, child.seconds, "HTTP, parse, write")
    return row, child.peak_rss_mb, orders


def _fetch_pages(base: str, wanted: int) -> list[tuple[OrderRecord, ...]]:
    client = SquarespaceClient(
        ConnectionAuth(None, {"kind": "api_key", "api_key": DEMO_KEY}), base_url=base
    )
    listing = client.orders_page()
    pages = [listing.records]
    while listing.next_cursor and sum(map(len, pages)) < wanted:
        listing = client.orders_page(cursor=listing.next_cursor)
        pages.append(listing.records)
    return pages


def _first_orders(pages: list[tuple[OrderRecord, ...]], count: int) -> list[OrderRecord]:
    return [record for page in pages for record in page][:count]


def _fresh_connection(name: str) -> Connection:
    return Connection.objects.create(
        provider="squarespace", external_account_id=f"bench-{name}", display_name=name
    )


def _ingest(pages: Sequence[Sequence[OrderRecord]]) -> float:
    target = _fresh_connection("ingest")
    started = time.perf_counter()
    for page in pages:
        with transaction.atomic():
            orders_write(connection=target, records=page)
    return time.perf_counter() - started


def _ceiling(pages: Sequence[Sequence[OrderRecord]]) -> float:
    target = _fresh_connection("ceiling")
    _create_staging()
    started = time.perf_counter()
    for page in pages:
        with transaction.atomic():
            _raw_page_write(target.pk, page)
    return time.perf_counter() - started


def _create_staging() -> None:
    order_columns = ", ".join(("connection_id", "provider_order_id", *ORDER_FIELDS, "synced_at"))
    line_columns = ", ".join(("order_id", *LINE_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE stage_order AS SELECT {order_columns} "  # noqa: S608
            "FROM integrations_order WITH NO DATA"
        )
        cursor.execute(
            f"CREATE TEMP TABLE stage_line AS SELECT provider_order_id, {line_columns} "  # noqa: S608
            "FROM integrations_orderline, integrations_order WITH NO DATA"
        )


def _raw_page_write(connection_id: int, page: Sequence[OrderRecord]) -> None:
    """Write one page the fastest way PostgreSQL offers: COPY, then one upsert per table."""
    raw = connection.connection
    order_columns = ("connection_id", "provider_order_id", *ORDER_FIELDS, "synced_at")
    now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY stage_order ({', '.join(order_columns)}) FROM STDIN") as copy:
            for record in {r.order_id: r for r in page}.values():
                copy.write_row((connection_id, record.order_id, *_order_values(record), now))
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*ORDER_FIELDS, "synced_at"))
        cursor.execute(
            f"INSERT INTO integrations_order ({', '.join(order_columns)}) "  # noqa: S608
            f"SELECT {', '.join(order_columns)} FROM stage_order "
            f"ON CONFLICT (connection_id, provider_order_id) DO UPDATE SET {updates}"
        )
        _raw_lines_write(cursor, connection_id, page)
        cursor.execute("TRUNCATE stage_order, stage_line")


def _raw_lines_write(cursor, connection_id: int, page: Sequence[OrderRecord]) -> None:
    with cursor.copy(
        f"COPY stage_line (provider_order_id, {', '.join(LINE_COLUMNS)}) FROM STDIN"
    ) as copy:
        for record in page:
            for line in record.lines:
                copy.write_row(
                    (record.order_id, *(getattr(line, _line_attr(c)) for c in LINE_COLUMNS))
                )
    cursor.execute(
        "DELETE FROM integrations_orderline USING integrations_order o, stage_line s "
        "WHERE integrations_orderline.order_id = o.id AND o.connection_id = %s "
        "AND o.provider_order_id = s.provider_order_id",
        (connection_id,),
    )
    cursor.execute(
        f"INSERT INTO integrations_orderline (order_id, {', '.join(LINE_COLUMNS)}) "  # noqa: S608
        f"SELECT o.id, {', '.join('s.' + c for c in LINE_COLUMNS)} FROM stage_line s "
        "JOIN integrations_order o ON o.provider_order_id = s.provider_order_id "
        "AND o.connection_id = %s ON CONFLICT DO NOTHING",
        (connection_id,),
    )


def _line_attr(column: str) -> str:
    return "line_id" if column == "provider_line_id" else column


def _order_values(record: OrderRecord) -> tuple[object, ...]:
    row = orders_row_values(record)
    return tuple(row[field] for field in ORDER_FIELDS)


def orders_row_values(record: OrderRecord) -> dict[str, object]:
    """The column values of one order, exactly as the sync writer stores them."""
    place = record.place
    return {
        "order_number": record.order_number,
        "created_on": record.created_on,
        "modified_on": record.modified_on,
        "fulfilled_on": record.fulfilled_on,
        "fulfillment_status": record.fulfillment_status,
        "payment_state": record.payment_state,
        "channel": record.channel,
        "testmode": record.testmode,
        "currency": record.currency,
        **asdict(record.totals),
        "email_hash": record.email_hash,
        "ship_city": place.city,
        "ship_state": place.state,
        "ship_postal_code": place.postal_code,
        "ship_country": place.country,
        "has_physical_items": record.has_physical_items,
    }


def _baseline(records: list[OrderRecord]) -> float:
    target = _fresh_connection("baseline")
    started = time.perf_counter()
    for record in records:
        with transaction.atomic():
            order, _ = Order.objects.update_or_create(
                connection=target,
                provider_order_id=record.order_id,
                defaults=orders_row_values(record),
            )
            OrderLine.objects.filter(order=order).delete()
            for line in record.lines:
                OrderLine.objects.update_or_create(
                    order=order,
                    provider_line_id=line.line_id,
                    defaults={c: getattr(line, c) for c in LINE_COLUMNS if c != "provider_line_id"},
                )
    return time.perf_counter() - started
