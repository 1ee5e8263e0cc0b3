"""Benchmark: Search Console rows at bench scale (about 2M rows), against the PostgreSQL ceiling.

Prints, in one run:
- end to end: `manage.py sync search_console` in a child process against the bench-scale
  sandbox in another (the Google API client over HTTP, parse, write), timed by the
  search_analytics run itself; a first sync reads Google's 16 months, about 1.8M of the
  sandbox's 2M rows (18 months);
- the ingest stage at that full scale: the rows that sync stored, read back day by day into
  the records and chunks the stream writes (5,000 rows, the day's last chunk closing it), then
  written by the sync's own writer (upsert, stale fresh rows dropped, the day's query x page
  rollup rebuilt) into another property;
- the ceiling on the same table: the same chunks COPYed into a staging table and upserted
  with one INSERT ... ON CONFLICT, into a third property; writer and ceiling take turns chunk
  by chunk, so both see the same table sizes and the same machine load;
- the sync process's peak resident memory.
Targets: ingest >= 50% of the ceiling, peak memory < 300 MB.
"""

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import quote

import pytest

from integrations.models import Connection, SearchDay, SearchProperty
from integrations.models.search import SearchQueryPageDay
from integrations.search_console.client import SearchConsoleClient
from integrations.search_console.parse import SearchRowRecord
from integrations.search_console.sync import (
    CHUNK_ROWS,
    DayChunk,
    SearchAnalyticsStream,
    pacific_today,
)
from sandbox.brand.search import DOMAIN_PROPERTY
from sandbox.platforms.google_oauth import DEMO_REFRESH_TOKEN
from sandbox.platforms.search_console import DEMO_ACCESS_TOKEN
from tests.bench.harness import (
    Row,
    analyze,
    copy_upsert,
    ingest_report,
    sandbox_services,
    sync_end_to_end,
    timed_pages,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RECORD = ("query", "page", "country", "device", "clicks", "impressions", "position")
TABLE = SearchDay._meta.db_table
CEILING_KEY = ("search_property_id", "day", "row_key")
CEILING_COLUMNS = (*RECORD, "fresh")


def test_search_console_sync_at_bench_scale():
    query = f"/search_console/webmasters/v3/sites/{quote(DOMAIN_PROPERTY, safe='')}"
    settled = (pacific_today() - timedelta(days=10)).isoformat()
    warm = {
        "startDate": settled,
        "endDate": settled,
        "dimensions": ["query", "page", "country", "device"],
        "rowLimit": 1,
    }  # the first query builds the search data: warm it before timing
    with sandbox_services(
        scale="bench", warm_path=f"{query}/searchAnalytics/query", auth=DEMO_ACCESS_TOKEN,
        warm_body=warm,
    ) as sandbox:  # fmt: skip
        synced = sync_end_to_end("search_console", DEMO_REFRESH_TOKEN, sandbox.child_env())
    analyze(SearchDay, SearchQueryPageDay)
    end_to_end = synced.stream_row(
        "search_analytics", "end to end: sandbox -> sync -> rows", "HTTP, parse, write"
    )
    source = SearchProperty.objects.get(site_url=DOMAIN_PROPERTY)
    ingest, ceiling = _ingest_and_ceiling(source)
    missed = ingest_report(
        "Search Console rows, bench scale",
        "search console",
        end_to_end=end_to_end,
        ingest=ingest,
        ceiling=ceiling,
        peak_mb=synced.child.peak_rss_mb,
        notes=[
            f"rows stored end to end: {end_to_end.rows:,} (16 months; the sandbox holds 18)",
            f"sync process: {synced.child.seconds:.0f} s in all, with its after-sync refreshes",
            "ingest and ceiling replay those rows, day by day, in the stream's chunks",
        ],
    )
    assert not missed, missed


def _ingest_and_ceiling(source: SearchProperty) -> tuple[Row, Row]:
    """Write every stored chunk again with the sync's writer and with the ceiling, in turns."""
    stream = SearchAnalyticsStream(client=SearchConsoleClient(secret={}), site_url="bench-ingest")
    owner = Connection.objects.get(pk=source.connection_id)
    ceiling_pk = SearchProperty.objects.create(connection=owner, site_url="bench-ceiling").pk
    spent = timed_pages(
        _stored_chunks(source),
        {
            "ingest": lambda chunk: stream.write(owner, chunk),
            "ceiling": lambda chunk: copy_upsert(
                TABLE, CEILING_KEY, CEILING_COLUMNS, _ceiling_rows(ceiling_pk, chunk)
            ),
        },
    )
    rows = SearchDay.objects.filter(search_property=source).count()
    assert SearchDay.objects.filter(search_property__site_url="bench-ingest").count() == rows
    return (
        Row("ingest: parsed chunks -> rows (sync writer)", rows, spent["ingest"], "with rollup"),
        Row("ceiling: COPY + INSERT ON CONFLICT", rows, spent["ceiling"], "rows only"),
    )


def _stored_chunks(source: SearchProperty) -> Iterator[DayChunk]:
    """Yield the stored rows as the stream yields them: a day's rows in order, in chunks."""
    days = SearchDay.objects.filter(search_property=source).values_list("day", flat=True)
    for day in list(days.distinct().order_by("day")):
        found = list(
            SearchDay.objects.filter(search_property=source, day=day)
            .order_by("pk")
            .values_list("row_key", "fresh", *RECORD)
        )
        keys = tuple(row[0] for row in found)
        records = tuple(SearchRowRecord(*row[2:]) for row in found)
        fresh = found[0][1]
        for start in range(0, len(found), CHUNK_ROWS):
            end = start + CHUNK_ROWS
            last = end >= len(found)
            yield DayChunk(day, fresh, records[start:end], keys[start:end],
                           day_keys=frozenset(keys) if last else None)  # fmt: skip


def _ceiling_rows(property_pk: int, chunk: DayChunk) -> Iterator[tuple[object, ...]]:
    for record, key in zip(chunk, chunk.keys, strict=True):
        values = (getattr(record, name) for name in RECORD)
        yield (property_pk, chunk.day, key, *values, chunk.fresh)
