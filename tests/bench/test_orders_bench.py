"""Benchmark: Squarespace orders at bench scale (250k orders), against the PostgreSQL ceiling.

Prints, in one run: rows/s end to end (`manage.py sync squarespace` in a child process against
the sandbox in another), rows/s of the ingest stage alone (parsed pages to committed rows,
page by page, as the sync writes them), the raw PostgreSQL ceiling for the same pages (psycopg
COPY into a staging table, then INSERT ... ON CONFLICT, one transaction a page; the two take
turns page by page), a per-row update_or_create baseline, and the sync's peak memory.
Targets: ingest >= 50% of the ceiling, peak memory < 300 MB.
"""

import time
from collections.abc import Sequence
from dataclasses import asdict

import pytest
from django.db import connection, transaction

from integrations.models import Connection, Order, OrderLine
from integrations.squarespace.client import ConnectionAuth, SquarespaceClient
from integrations.squarespace.parse import OrderRecord
from integrations.squarespace.sync import ORDER_FIELDS, orders_write
from tests.bench.harness import (
    Row,
    copy_upsert,
    ingest_report,
    sandbox_process,
    sync_end_to_end,
    timed_pages,
)
from tests.child_processes import child_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DEMO_KEY = "sqsp_demo_key"
SAMPLE_ORDERS = 20_000  # parsed once, then written three ways
BASELINE_ORDERS = 1_000

LINE_COLUMNS = (
    "provider_line_id", "line_type", "product_id", "variant_id", "sku", "product_name",
    "quantity", "unit_price",
)  # fmt: skip


def test_orders_sync_at_bench_scale():
    warm = "/squarespace/1.0/commerce/inventory"
    with sandbox_process(scale="bench", warm_path=warm, auth=DEMO_KEY) as url:
        base = f"{url}/squarespace"
        env = {"DATABASE_URL": child_database_url(), "SQUARESPACE_API_URL": base, "REDIS_URL": ""}
        synced = sync_end_to_end("squarespace", DEMO_KEY, env)
        pages = _fetch_pages(base, SAMPLE_ORDERS)
    orders = Order.objects.count()
    end_to_end = Row(
        "end to end: sandbox -> sync -> rows", orders, synced.child.seconds, "HTTP, parse, write"
    )
    sample = sum(len(page) for page in pages)
    spent = _ingest_and_ceiling(pages)
    ingest = Row("ingest: parsed pages -> rows (sync writer)", sample, spent["ingest"])
    ceiling = Row("ceiling: COPY + INSERT ON CONFLICT", sample, spent["ceiling"])
    baseline_pages = _first_orders(pages, BASELINE_ORDERS)
    baseline = Row("baseline: per-row update_or_create", BASELINE_ORDERS, _baseline(baseline_pages))
    missed = ingest_report(
        "Squarespace orders, bench scale",
        "orders",
        end_to_end=end_to_end,
        ingest=ingest,
        ceiling=ceiling,
        peak_mb=synced.child.peak_rss_mb,
        references=[baseline],
        notes=[f"orders stored end to end: {orders:,}"],
    )
    assert not missed, missed


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


def _ingest_and_ceiling(pages: Sequence[Sequence[OrderRecord]]) -> dict[str, float]:
    """Write every page with the sync's writer and with the ceiling, taking turns."""
    ingest_into, ceiling_into = _fresh_connection("ingest"), _fresh_connection("ceiling")
    _create_line_staging()
    return timed_pages(
        pages,
        {
            "ingest": lambda page: orders_write(connection=ingest_into, records=page),
            "ceiling": lambda page: _raw_page_write(ceiling_into.pk, page),
        },
    )


def _create_line_staging() -> None:
    line_columns = ", ".join(("order_id", *LINE_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE stage_line AS SELECT provider_order_id, {line_columns} "  # noqa: S608
            "FROM integrations_orderline, integrations_order WITH NO DATA"
        )


def _raw_page_write(connection_id: int, page: Sequence[OrderRecord]) -> None:
    """Write one page the fastest way PostgreSQL offers: COPY, then one upsert per table."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    orders = (
        (connection_id, record.order_id, *_order_values(record), now)
        for record in {r.order_id: r for r in page}.values()
    )
    copy_upsert(
        "integrations_order", ("connection_id", "provider_order_id"), (*ORDER_FIELDS, "synced_at"),
        orders,
    )  # fmt: skip
    with connection.connection.cursor() as cursor:
        _raw_lines_write(cursor, connection_id, page)
        cursor.execute("TRUNCATE stage_line")


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
