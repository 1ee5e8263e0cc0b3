"""Search Console stream "search_analytics": one day at a time, query x page x country x device.

Each day is read with dataState=final, paging with startRow (25,000 rows a page) until an
answer has no rows. Google finalises a day two or three days late; a recent day with no final
rows yet is read again with dataState=all and stored with fresh=True, to be overwritten by
the final numbers on a later run. Rows are keyed (property, day, row_key), row_key being the
sha1 of the JSON array [query, page, country, device], so re-reading writes nothing twice.

The bookmark is the newest day stored final with every older day final too; it is committed
with that day's last rows, so a crash resumes at the first day not yet final. Every run also
re-reads the last REREAD_DAYS days. History is never deleted: rows older than Google's 16
months stay. A day's rows stream through in chunks of a few thousand (one transaction each);
when a day is complete, fresh rows its new reading no longer has are dropped, in the same
transaction as its last chunk, and the day's query x page rollup (what dashboards read) is
rebuilt from its rows. If a row comes back twice within one reading of a day, the
listing moved under our paging (rows may have been skipped too), so the day is read again
from the start; twice in a row ends the run for the next one to retry.
"""

import hashlib
import json
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, overload
from zoneinfo import ZoneInfo

from integrations.http import TransientError
from integrations.models import Connection, SearchDay, SearchProperty
from integrations.models.search import SearchQueryPageDay
from integrations.search_console.client import ROW_LIMIT, SearchConsoleClient
from integrations.search_console.parse import PROVIDER, SearchRowRecord
from integrations.sync.engine import Page, Stream, WriteCounts
from integrations.sync.upsert import upsert_values

STREAM_NAMES = ("search_analytics",)
HISTORY_DAYS = 486  # about the 16 months Google keeps
REREAD_DAYS = 4
FRESH_WINDOW_DAYS = 4  # days this recent may have only fresh data
CHUNK_ROWS = 5_000
PACIFIC = ZoneInfo("America/Los_Angeles")  # Search Console days are Pacific days
# A written row is KEY + FIELDS, in that order.
KEY = ("search_property", "day", "row_key")
FIELDS = ("query", "page", "country", "device", "clicks", "impressions", "position", "fresh")


def pacific_today() -> date:
    """Return today's date where Search Console counts its days."""
    return datetime.now(PACIFIC).date()


def row_key(row: SearchRowRecord) -> str:
    """Return the sha1 naming a row's query, page, country and device unambiguously."""
    parts = json.dumps([row.query, row.page, row.country, row.device], ensure_ascii=False)
    return hashlib.sha1(parts.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class DayChunk(Sequence[SearchRowRecord]):
    """Some rows of one day; the last chunk of a day carries the keys the day now holds."""

    day: date
    fresh: bool
    rows: tuple[SearchRowRecord, ...]
    keys: tuple[str, ...]
    day_keys: frozenset[str] | None = None  # set on a day's last chunk only

    @overload
    def __getitem__(self, index: int) -> SearchRowRecord: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[SearchRowRecord]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self.rows[index]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[SearchRowRecord]:
        return iter(self.rows)


Held = tuple[tuple[SearchRowRecord, ...], tuple[str, ...]] | None


class ListingShifted(TransientError):
    """The same row came back twice while paging one day: the listing moved."""

    def __init__(self, day: date) -> None:
        super().__init__(f"rows of {day} moved while paging", provider=PROVIDER)


@dataclass
class SearchAnalyticsStream:
    """Daily search rows of one property."""

    client: SearchConsoleClient
    site_url: str
    name: str = "search_analytics"
    history_days: int = HISTORY_DAYS
    today: Callable[[], date] = pacific_today
    row_limit: int = ROW_LIMIT
    chunk_rows: int = CHUNK_ROWS
    _property: SearchProperty | None = field(default=None, init=False)

    def pages(self, *, bookmark: str, full: bool) -> Iterator[Page]:
        """Yield each day's rows in chunks, oldest day first, bookmarking final days."""
        today = self.today()
        stored = None if full or not bookmark else date.fromisoformat(bookmark)
        day = self._first_day(stored, today)
        advancing = True
        while day <= today:
            reading = DayReading(self, day, recent=day >= today - timedelta(FRESH_WINDOW_DAYS))
            for chunk in reading.chunks():
                last = chunk.day_keys is not None
                advancing = advancing and not (last and chunk.fresh)
                mark = _later(stored, day) if last and advancing else None
                yield Page(chunk, bookmark=mark)
            day += timedelta(days=1)

    def _first_day(self, stored: date | None, today: date) -> date:
        if stored is None:
            return today - timedelta(days=self.history_days)
        return min(stored + timedelta(days=1), today - timedelta(days=REREAD_DAYS - 1))

    def final_bookmark(self) -> str | None:
        """Keep the bookmarks the pages stored."""
        return None

    def write(self, connection: Connection, records: Sequence[Any]) -> WriteCounts:
        """Upsert one chunk of a day; on its last chunk, drop fresh rows the day lost."""
        if not isinstance(records, DayChunk):
            raise TypeError("search_analytics writes DayChunk pages")
        prop = self._search_property(connection)
        rows = (
            (prop.pk, records.day, key, row.query, row.page, row.country, row.device,
             row.clicks, row.impressions, row.position, records.fresh)
            for row, key in zip(records, records.keys, strict=True)
        )  # fmt: skip
        counts = upsert_values(SearchDay, rows, key_fields=KEY, compare_fields=FIELDS)
        if records.day_keys is not None:
            _drop_stale_fresh(prop, records.day, records.day_keys)
            SearchQueryPageDay.objects.rebuild(prop.pk, records.day)  # the dashboards' rollup
        return counts

    def _search_property(self, connection: Connection) -> SearchProperty:
        if self._property is None:
            self._property, _ = SearchProperty.objects.update_or_create(
                site_url=self.site_url, defaults={"connection": connection}
            )
        return self._property


@dataclass
class DayReading:
    """One day read to the end: final rows, or fresh ones while the day is recent."""

    stream: SearchAnalyticsStream
    day: date
    recent: bool

    def chunks(self) -> Iterator[DayChunk]:
        """Yield the day's chunks; the last one (perhaps empty) closes the day."""
        for attempt in (1, 2):
            try:
                yield from self._chunks()
                return
            except ListingShifted:
                if attempt == 2:
                    raise

    def _chunks(self) -> Iterator[DayChunk]:
        seen: set[str] = set()
        held = yield from self._state_chunks("final", seen)
        fresh = held is None and self.recent
        if fresh:
            held = yield from self._state_chunks("all", seen)
        rows, keys = held or ((), ())
        yield DayChunk(self.day, fresh, rows, keys, day_keys=frozenset(seen))

    def _state_chunks(self, data_state: str, seen: set[str]) -> Generator[DayChunk, None, Held]:
        """Yield all but the last chunk of one reading; return the last, held to close the day."""
        held: Held = None
        for rows in self._pages(data_state):
            keys = tuple(row_key(row) for row in rows)
            if len(seen) + len(keys) != len(seen | set(keys)):
                raise ListingShifted(self.day)
            seen.update(keys)
            for start in range(0, len(rows), self.stream.chunk_rows):
                if held is not None:
                    yield DayChunk(self.day, data_state == "all", *held)
                end = start + self.stream.chunk_rows
                held = (tuple(rows[start:end]), keys[start:end])
        return held

    def _pages(self, data_state: str) -> Iterator[list[SearchRowRecord]]:
        start_row = 0
        while True:
            rows = self.stream.client.rows_page(
                site_url=self.stream.site_url,
                day=self.day,
                data_state=data_state,
                start_row=start_row,
                row_limit=self.stream.row_limit,
            )
            if not rows:
                return
            yield rows
            start_row += len(rows)  # a server may answer fewer rows than asked


def _drop_stale_fresh(prop: SearchProperty, day: date, keep: frozenset[str]) -> int:
    """Delete the day's fresh rows its latest reading no longer has."""
    fresh = SearchDay.objects.filter(search_property=prop, day=day, fresh=True)
    stale = [pk for pk, key in fresh.values_list("pk", "row_key") if key not in keep]
    for start in range(0, len(stale), 1000):
        SearchDay.objects.filter(pk__in=stale[start : start + 1000]).delete()
    return len(stale)


def _later(stored: date | None, day: date) -> str:
    return (day if stored is None else max(stored, day)).isoformat()


def streams_for(connection: Connection) -> list[Stream]:
    """Return the search analytics stream of one connection's property."""
    site_url = str(connection.options.get("site_url") or connection.external_account_id)
    client = SearchConsoleClient.for_connection(connection)
    return [SearchAnalyticsStream(client=client, site_url=site_url)]
