"""Shippo streams: shipments (with their rates), labels and Shippo orders, pages -> rows.

Shippo lists newest first by page number and has no sort parameter, so no page can carry a
bookmark that is safe to resume from: a page says nothing about the older records not yet
read. Each page is therefore committed with `Page(bookmark=None)` and the run's start time
becomes the bookmark only once the whole listing has been read (`final_bookmark`). A run that
fails midway keeps the old bookmark and the next run re-reads from it; upserts keyed on the
object id make the re-read write nothing twice.

Reads ask for objects created since the bookmark minus an overlap (clock skew, late writes).
Labels and Shippo orders change after they are created (tracking moves, an order ships), so
those two streams always look back at least REFRESH_WINDOW, long enough for a parcel to
arrive; the `track_updated` webhook covers faster and older changes. New records inserted
at the top while we page push older ones down, so a record can appear on two pages: each run
drops the repeats.

A deletion request erases the recipient of an order's Shippo records, but Shippo keeps them
and lists them again. Each write therefore stores the records that name an erased order (by
their metadata, order number or Shippo order) with their recipient blanked exactly as the
eraser left it, on insert and on update alike (integrations.erasers).
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from integrations.erasers import (
    RECIPIENT_ERASED,
    SHIPPO_ORDER_ERASED,
    erased_order_texts,
    fields_blank,
)
from integrations.models import Connection, Label, Rate, Shipment, ShippoOrder
from integrations.shippo.client import ShippoClient
from integrations.shippo.parse import (
    LabelRecord,
    RateRecord,
    Recipient,
    ShipmentRecord,
    ShippoOrderRecord,
    TrackingUpdate,
)
from integrations.sync.engine import Page, Stream, WriteCounts
from integrations.sync.upsert import upsert_changed

OVERLAP = timedelta(hours=1)
REFRESH_WINDOW = timedelta(days=21)
STREAM_NAMES = ("shipments", "labels", "shippo_orders")

R = TypeVar("R", ShipmentRecord, LabelRecord, ShippoOrderRecord)
M = TypeVar("M", bound=models.Model)

SHIPMENT_FIELDS = (
    "status", "object_created", "object_updated", "recipient_name", "recipient_zip",
    "recipient_country", "parcel_count", "metadata",
)  # fmt: skip
RATE_FIELDS = ("shipment", "carrier", "service_level", "amount", "currency")
LABEL_FIELDS = (
    "object_state", "status", "object_created", "object_updated", "test", "tracking_number",
    "carrier", "service_level", "tracking_status", "tracking_status_at", "eta", "label_cost",
    "currency", "recipient_name", "recipient_zip", "recipient_country", "metadata",
    "rate_object_id", "shippo_order_object_id",
)  # fmt: skip
ORDER_FIELDS = (
    "order_number", "order_status", "placed_at", "recipient_zip", "recipient_country",
    "object_created",
)  # fmt: skip
KEY = ("connection", "object_id")


@dataclass
class _ShippoStream(Generic[R]):
    """Reading shared by the three streams: windows, repeats, the end-of-run bookmark."""

    client: ShippoClient
    name: str = ""
    refresh_window: timedelta | None = None
    _started: datetime | None = field(default=None, init=False)
    _seen: set[str] = field(default_factory=set, init=False)

    def pages(self, *, bookmark: str, full: bool) -> Iterator[Page]:
        """Yield pages created since the bookmark (minus the overlap), repeats dropped."""
        self._started, self._seen = timezone.now(), set()
        since = None if full else self._since(bookmark, self._started)
        for records in self._read(since):
            fresh = [r for r in records if r.object_id not in self._seen]
            self._seen.update(r.object_id for r in fresh)
            yield Page(fresh, bookmark=None)

    def _since(self, bookmark: str, now: datetime) -> datetime | None:
        if not bookmark:
            return None
        since = datetime.fromisoformat(bookmark) - OVERLAP
        if self.refresh_window is not None:
            since = min(since, now - self.refresh_window)
        return since

    def final_bookmark(self) -> str | None:
        """Return the run's start: everything created before it has now been read."""
        return None if self._started is None else self._started.isoformat()

    def write(self, connection: Connection, records: Sequence[Any]) -> WriteCounts:
        raise NotImplementedError

    def _read(self, since: datetime | None) -> Iterator[Sequence[R]]:
        raise NotImplementedError


@dataclass
class ShipmentsStream(_ShippoStream[ShipmentRecord]):
    name: str = "shipments"

    def _read(self, since: datetime | None) -> Iterator[Sequence[ShipmentRecord]]:
        return self.client.shipments(since=since)

    def write(self, connection: Connection, records: Sequence[Any]) -> WriteCounts:
        """Upsert shipments, then the rates each offered."""
        rows = [_shipment_row(connection, r) for r in records]
        fields_blank(_of_erased_orders(rows, lambda row: (row.metadata,)), RECIPIENT_ERASED)
        counts, _ = upsert_changed(Shipment, rows, key_fields=KEY, compare_fields=SHIPMENT_FIELDS)
        pks = _pks(Shipment, connection, [r.object_id for r in records])
        rates = [_rate_row(connection, rate, pks) for r in records for rate in r.rates]
        rate_counts, _ = upsert_changed(Rate, rates, key_fields=KEY, compare_fields=RATE_FIELDS)
        return _sum(counts, rate_counts)


@dataclass
class LabelsStream(_ShippoStream[LabelRecord]):
    name: str = "labels"
    refresh_window: timedelta | None = REFRESH_WINDOW

    def _read(self, since: datetime | None) -> Iterator[Sequence[LabelRecord]]:
        return self.client.labels(since=since)

    def write(self, connection: Connection, records: Sequence[Any]) -> WriteCounts:
        """Upsert labels with carrier and cost from their rate and recipient from the shipment."""
        rates = _rates_by_id(connection, [r.rate_object_id for r in records if r.rate is None])
        full = [r if r.rate else replace(r, rate=rates.get(r.rate_object_id)) for r in records]
        shipment_ids = [r.rate.shipment_object_id for r in full if r.rate]
        recipients = _recipients(connection, shipment_ids)
        rows = [_label_row(connection, r, recipients) for r in full]
        rows = _keep_newer_tracking(connection, rows)
        fields_blank(_labels_of_erased_orders(connection, rows), RECIPIENT_ERASED)
        counts, _ = upsert_changed(Label, rows, key_fields=KEY, compare_fields=LABEL_FIELDS)
        return counts


@dataclass
class ShippoOrdersStream(_ShippoStream[ShippoOrderRecord]):
    name: str = "shippo_orders"
    refresh_window: timedelta | None = REFRESH_WINDOW

    def _read(self, since: datetime | None) -> Iterator[Sequence[ShippoOrderRecord]]:
        return self.client.orders(since=since)

    def write(self, connection: Connection, records: Sequence[Any]) -> WriteCounts:
        """Upsert Shippo orders; the labels of erased ones lose their recipient too."""
        rows = [_order_row(connection, r) for r in records]
        erased = _of_erased_orders(rows, lambda row: (row.order_number,))
        fields_blank(erased, SHIPPO_ORDER_ERASED)
        counts, _ = upsert_changed(ShippoOrder, rows, key_fields=KEY, compare_fields=ORDER_FIELDS)
        _labels_blank(connection, [row.object_id for row in erased])
        return counts


def streams_for(connection: Connection) -> list[Stream]:
    """Return the streams of one Shippo connection, shipments first (labels read them)."""
    client = client_for(connection)
    return [ShipmentsStream(client), LabelsStream(client), ShippoOrdersStream(client)]


def client_for(connection: Connection) -> ShippoClient:
    """Build a client with the connection's sealed token."""
    if connection.credential is None:
        raise ValueError("the connection holds no token")
    return ShippoClient(token=str(connection.credential.secret.reveal()["api_token"]))


# Rows


def _shipment_row(connection: Connection, r: ShipmentRecord) -> Shipment:
    return Shipment(
        connection=connection,
        object_id=r.object_id,
        status=r.status,
        object_created=r.object_created,
        object_updated=r.object_updated,
        recipient_name=r.recipient.name,
        recipient_zip=r.recipient.zip,
        recipient_country=r.recipient.country,
        parcel_count=r.parcel_count,
        metadata=r.metadata,
    )


def _rate_row(connection: Connection, r: RateRecord, shipments: dict[str, int]) -> Rate:
    return Rate(
        connection=connection,
        object_id=r.object_id,
        shipment_id=shipments.get(r.shipment_object_id),
        carrier=r.carrier,
        service_level=r.service_level,
        amount=r.amount,
        currency=r.currency,
    )


def _label_row(connection: Connection, r: LabelRecord, recipients: dict[str, Recipient]) -> Label:
    rate = r.rate
    to = recipients.get(rate.shipment_object_id) if rate else None
    return Label(
        connection=connection,
        object_id=r.object_id,
        object_state=r.object_state,
        status=r.status,
        object_created=r.object_created,
        object_updated=r.object_updated,
        test=r.test,
        tracking_number=r.tracking_number,
        carrier=rate.carrier if rate else "",
        service_level=rate.service_level if rate else "",
        tracking_status=r.tracking_status,
        tracking_status_at=r.tracking_status_at,
        eta=r.eta,
        label_cost=rate.amount if rate else None,
        currency=rate.currency if rate else "",
        recipient_name=to.name if to else "",
        recipient_zip=to.zip if to else "",
        recipient_country=to.country if to else "",
        metadata=r.metadata,
        rate_object_id=r.rate_object_id,
        shippo_order_object_id=r.shippo_order_object_id,
    )


def _order_row(connection: Connection, r: ShippoOrderRecord) -> ShippoOrder:
    return ShippoOrder(
        connection=connection,
        object_id=r.object_id,
        order_number=r.order_number,
        order_status=r.order_status,
        placed_at=r.placed_at,
        recipient_zip=r.recipient_zip,
        recipient_country=r.recipient_country,
        object_created=r.object_created,
    )


# Lookups


def _pks(model: type[models.Model], connection: Connection, ids: list[str]) -> dict[str, int]:
    found = model._default_manager.filter(connection=connection, object_id__in=ids)
    return dict(found.values_list("object_id", "pk"))


def _rates_by_id(connection: Connection, ids: list[str]) -> dict[str, RateRecord]:
    """Return stored rates (for labels listed with a bare rate id), as records."""
    if not ids:
        return {}
    found = Rate.objects.filter(connection=connection, object_id__in=ids).select_related("shipment")
    return {
        rate.object_id: RateRecord(
            rate.object_id,
            rate.shipment.object_id if rate.shipment else "",
            rate.carrier,
            rate.service_level,
            rate.amount,
            rate.currency,
        )
        for rate in found
    }


def _recipients(connection: Connection, shipment_ids: list[str]) -> dict[str, Recipient]:
    found = Shipment.objects.filter(connection=connection, object_id__in=shipment_ids)
    fields = ("object_id", "recipient_name", "recipient_zip", "recipient_country")
    return {oid: Recipient(n, z, c) for oid, n, z, c in found.values_list(*fields)}


def _keep_newer_tracking(connection: Connection, rows: list[Label]) -> list[Label]:
    """Keep a stored tracking status a webhook dated later than what the listing says."""
    ids = [row.object_id for row in rows]
    stored = Label.objects.filter(connection=connection, object_id__in=ids)
    newer = dict(stored.values_list("object_id", "tracking_status_at"))
    statuses = dict(stored.values_list("object_id", "tracking_status"))
    for row in rows:
        at = newer.get(row.object_id)
        if at is not None and (row.tracking_status_at is None or at > row.tracking_status_at):
            row.tracking_status, row.tracking_status_at = statuses[row.object_id], at
    return rows


# Erased orders


def _of_erased_orders(rows: Sequence[M], texts: Callable[[M], Iterable[str]]) -> list[M]:
    """Return the rows whose texts (metadata, order numbers) name an erased order."""
    erased = erased_order_texts(text for row in rows for text in texts(row))
    return [row for row in rows if erased.intersection(texts(row))] if erased else []


def _labels_of_erased_orders(connection: Connection, rows: list[Label]) -> list[Label]:
    """Return the labels of erased orders, named in their metadata or their Shippo order's."""
    ids = {row.shippo_order_object_id for row in rows if row.shippo_order_object_id}
    found = ShippoOrder.objects.filter(connection=connection, object_id__in=ids)
    numbers = dict(found.values_list("object_id", "order_number"))
    return _of_erased_orders(
        rows, lambda row: (row.metadata, numbers.get(row.shippo_order_object_id, ""))
    )


def _labels_blank(connection: Connection, order_ids: list[str]) -> None:
    """Blank the labels of erased Shippo orders that were stored before their order was.

    The labels stream runs first, so a label whose metadata names no order is stored before
    the Shippo order that says whose it is; from then on its own writes find the order.
    """
    if not order_ids:
        return
    labels = Label.objects.filter(connection=connection, shippo_order_object_id__in=order_ids)
    labels.exclude(**RECIPIENT_ERASED).update(**RECIPIENT_ERASED)


def _sum(first: WriteCounts, second: WriteCounts) -> WriteCounts:
    return WriteCounts(first.inserted + second.inserted, first.updated + second.updated)


# Webhook updates


def label_tracking_apply(*, connection: Connection, update: TrackingUpdate) -> int:
    """Move one label to a reported tracking status unless it holds a newer one; return rows."""
    older = Q(tracking_status_at__isnull=True) | Q(tracking_status_at__lt=update.status_date)
    return (
        Label.objects.filter(
            connection=connection,
            tracking_number=update.tracking_number,
            carrier=update.carrier,
        )
        .filter(older)
        .update(tracking_status=update.status, tracking_status_at=update.status_date)
    )
