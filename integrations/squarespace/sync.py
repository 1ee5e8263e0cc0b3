"""The Squarespace streams: "orders" (incremental by modifiedOn) and "inventory" (full).

Orders list ascending by modifiedOn, so the bookmark committed with each page is the newest
modifiedOn written so far. The next run asks for modifiedAfter = bookmark - OVERLAP and
modifiedBefore = now: the overlap re-reads the last few minutes so an edit stamped just
before the bookmark (clock skew, a late write) is not missed, and re-reading is harmless
because only changed rows are written. A record seen twice (a duplicate across pages) is
written once and counted once.

Inventory has no change feed: each run lists everything, upserts the levels and appends an
InventoryChange only where the quantity or the unlimited flag moved (or the variant is new).
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Q

from flux.privacy.erasure import erased_subjects
from integrations.erasers import ORDER_ERASED, fields_blank
from integrations.models import Connection, InventoryChange, InventoryLevel, Order, OrderLine
from integrations.squarespace.client import SquarespaceClient
from integrations.squarespace.parse import OrderLineRecord, OrderRecord, StockRecord
from integrations.sync.engine import Page, WriteCounts
from integrations.sync.upsert import upsert_changed

OVERLAP = timedelta(minutes=10)
ORDER_FIELDS = (
    "order_number", "created_on", "modified_on", "fulfilled_on", "fulfillment_status",
    "payment_state", "channel", "testmode", "currency", "subtotal", "shipping_total",
    "discount_total", "tax_total", "refunded_total", "grand_total", "email_hash", "ship_city",
    "ship_state", "ship_postal_code", "ship_country", "has_physical_items",
)  # fmt: skip
LEVEL_FIELDS = ("sku", "descriptor", "quantity", "is_unlimited", "changed_at")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class OrdersStream:
    """Orders changed since the bookmark (minus the overlap), oldest change first."""

    client: SquarespaceClient
    name: str = "orders"
    now: Callable[[], datetime] = _now

    def pages(self, *, bookmark: str, full: bool) -> Iterator[Page]:
        """Yield pages, each with the newest modifiedOn seen so far as its bookmark."""
        since = None if full or not bookmark else datetime.fromisoformat(bookmark)
        newest = since
        listing = self.client.orders_page(
            modified_after=since - OVERLAP if since else None,
            modified_before=self.now() if since else None,
        )
        while True:
            newest = max([o.modified_on for o in listing.records], default=newest)
            if newest is not None and since is not None:
                newest = max(newest, since)
            yield Page(listing.records, newest.isoformat() if newest else None)
            if listing.next_cursor is None:
                return
            listing = self.client.orders_page(cursor=listing.next_cursor)

    def write(self, connection: Connection, records: Sequence[OrderRecord]) -> WriteCounts:
        """Upsert one page of orders."""
        return orders_write(connection=connection, records=records)

    def final_bookmark(self) -> str | None:
        """Keep the bookmarks the pages committed."""
        return None


def orders_write(*, connection: Connection, records: Sequence[OrderRecord]) -> WriteCounts:
    """Upsert the orders that changed and replace the lines of those; count each order once."""
    unique = list({record.order_id: record for record in records}.values())
    rows = [_order_row(connection, record) for record in unique]
    _keep_erasures(rows)
    counts, written = upsert_changed(
        Order,
        rows,
        key_fields=("connection", "provider_order_id"),
        compare_fields=ORDER_FIELDS,
    )
    changed = {row.provider_order_id for row in written}
    _lines_replace(connection, [r for r in unique if r.order_id in changed])
    return counts


def _keep_erasures(rows: list[Order]) -> None:
    """Store the orders of people whose deletion was carried out as the erasure left them."""
    erased = erased_subjects("email", (row.email_hash for row in rows))
    fields_blank((row for row in rows if row.email_hash in erased), ORDER_ERASED)


def _order_row(connection: Connection, record: OrderRecord) -> Order:
    place = record.place
    return Order(
        connection=connection,
        provider_order_id=record.order_id,
        order_number=record.order_number,
        created_on=record.created_on,
        modified_on=record.modified_on,
        fulfilled_on=record.fulfilled_on,
        fulfillment_status=record.fulfillment_status,
        payment_state=record.payment_state,
        channel=record.channel,
        testmode=record.testmode,
        currency=record.currency,
        **asdict(record.totals),
        email_hash=record.email_hash,
        ship_city=place.city,
        ship_state=place.state,
        ship_postal_code=place.postal_code,
        ship_country=place.country,
        has_physical_items=record.has_physical_items,
    )


def _lines_replace(connection: Connection, records: list[OrderRecord]) -> None:
    """Swap the stored lines of these orders for the ones just read."""
    if not records:
        return
    ids = [record.order_id for record in records]
    pks = dict(
        Order.objects.filter(connection=connection, provider_order_id__in=ids).values_list(
            "provider_order_id", "pk"
        )
    )
    OrderLine.objects.filter(order_id__in=pks.values()).delete()
    OrderLine.objects.bulk_create(
        _line_row(pks[record.order_id], line)
        for record in records
        for line in {line.line_id: line for line in record.lines}.values()
    )


def _line_row(order_pk: int, line: OrderLineRecord) -> OrderLine:
    return OrderLine(
        order_id=order_pk,
        provider_line_id=line.line_id,
        line_type=line.line_type,
        product_id=line.product_id,
        variant_id=line.variant_id,
        sku=line.sku,
        product_name=line.product_name,
        quantity=line.quantity,
        unit_price=line.unit_price,
    )


@dataclass
class InventoryStream:
    """Every inventory item, each run."""

    client: SquarespaceClient
    name: str = "inventory"
    now: Callable[[], datetime] = _now
    _seen: set[str] = field(default_factory=set)

    def pages(self, *, bookmark: str, full: bool) -> Iterator[Page]:
        """Yield every page of the listing; there is nothing to resume from."""
        listing = self.client.inventory_page()
        while True:
            yield Page(listing.records)
            if listing.next_cursor is None:
                return
            listing = self.client.inventory_page(cursor=listing.next_cursor)

    def write(self, connection: Connection, records: Sequence[StockRecord]) -> WriteCounts:
        """Upsert the levels and append a change for each level that moved."""
        unique = list({record.variant_id: record for record in records}.values())
        stored = _stored_levels(connection, [r.variant_id for r in unique])
        now = self.now()
        rows = [
            _level_row(connection, record, stored.get(record.variant_id), now) for record in unique
        ]
        counts, written = upsert_changed(
            InventoryLevel,
            rows,
            key_fields=("connection", "variant_id"),
            compare_fields=LEVEL_FIELDS,
        )
        _changes_append(connection, written, stored, now)
        return counts

    def final_bookmark(self) -> str | None:
        """Inventory keeps no bookmark."""
        return None


def _stored_levels(connection: Connection, variant_ids: list[str]) -> dict[str, InventoryLevel]:
    found = InventoryLevel.objects.filter(connection=connection, variant_id__in=variant_ids)
    return {level.variant_id: level for level in found}


def _moved(record: StockRecord, level: InventoryLevel | None) -> bool:
    if level is None:
        return True
    return (level.quantity, level.is_unlimited) != (record.quantity, record.is_unlimited)


def _level_row(
    connection: Connection, record: StockRecord, level: InventoryLevel | None, now: datetime
) -> InventoryLevel:
    return InventoryLevel(
        connection=connection,
        variant_id=record.variant_id,
        sku=record.sku,
        descriptor=record.descriptor,
        quantity=record.quantity,
        is_unlimited=record.is_unlimited,
        changed_at=now if _moved(record, level) else level.changed_at if level else None,
    )


def _changes_append(
    connection: Connection,
    written: list[InventoryLevel],
    stored: dict[str, InventoryLevel],
    now: datetime,
) -> None:
    """Record what moved; a relabelled descriptor alone is not a stock change."""
    moved = [row for row in written if row.changed_at == now]
    if not moved:
        return
    pks = dict(
        InventoryLevel.objects.filter(
            Q(connection=connection), Q(variant_id__in=[row.variant_id for row in moved])
        ).values_list("variant_id", "pk")
    )
    InventoryChange.objects.bulk_create(
        InventoryChange(
            level_id=pks[row.variant_id],
            observed_at=now,
            quantity_before=_before(stored.get(row.variant_id)),
            quantity_after=row.quantity,
            is_unlimited=row.is_unlimited,
        )
        for row in moved
    )


def _before(level: InventoryLevel | None) -> int | None:
    return None if level is None else level.quantity
