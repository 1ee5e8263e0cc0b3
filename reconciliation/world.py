"""Load the orders, labels and Shippo orders an in-memory run judges, as compact rows."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Q, Sum
from django.utils.dateparse import parse_datetime

from integrations.models import Label, Order, OrderLine, Rate, ShippoOrder
from integrations.order_numbers import order_number_normalise
from reconciliation.matching import label_number
from reconciliation.models import Decision, LabelLink, MatchDecision
from reconciliation.rules import OrderFacts, is_excluded

ORDER_FIELDS = (
    "pk", "order_number", "created_on", "modified_on", "fulfillment_status", "payment_state",
    "refunded_total", "grand_total", "testmode", "has_physical_items", "ship_postal_code",
    "ship_country",
)  # fmt: skip
LABEL_FIELDS = (
    "pk", "object_state", "status", "object_created", "object_updated", "tracking_status",
    "tracking_number", "recipient_zip", "recipient_country", "metadata", "shippo_order_object_id",
)  # fmt: skip
CHUNK = 5000


@dataclass(slots=True)
class OrderRow:
    """One order as the rules read it."""

    pk: int
    number: str
    modified_on: datetime
    facts: OrderFacts


@dataclass(slots=True)
class LabelRow:
    """One label as the rules read it, with the number its own data names."""

    pk: int
    number: str
    object_state: str
    status: str
    created: datetime
    object_updated: datetime
    tracking_status: str
    tracking_number: str
    zip: str
    country: str
    valid: bool = False
    probable: bool = False  # set by the judge when only the probable rule links it

    def __post_init__(self) -> None:
        self.valid = self.object_state == "VALID" and self.status == "SUCCESS"


@dataclass
class World:
    """The slice of the synced data a run judges (all of it, for a full run)."""

    orders: dict[int, OrderRow] = field(default_factory=dict)
    by_number: dict[str, int] = field(default_factory=dict)
    labels: dict[int, LabelRow] = field(default_factory=dict)
    in_shippo: set[str] = field(default_factory=set)
    confirmed: dict[int, int] = field(default_factory=dict)  # label pk -> order pk
    rejected: set[tuple[int, int]] = field(default_factory=set)  # (order pk, label pk)

    def add_orders(self, rows: Iterable[OrderRow]) -> None:
        """Take orders into the world, indexed by number (the oldest order owns a number)."""
        for row in rows:
            self.orders[row.pk] = row
            if row.pk < self.by_number.get(row.number, row.pk + 1):
                self.by_number[row.number] = row.pk


def _moment(value: object) -> datetime:
    """Return a datetime from a raw row (SQLite hands back text)."""
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a moment: {value!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def order_row(values: tuple[object, ...]) -> OrderRow:
    """Build an OrderRow from a values_list tuple in ORDER_FIELDS order."""
    pk, number, created, modified, status, payment, refunded, grand, test, physical, zip_, cc = (
        values
    )
    excluded = is_excluded(
        fulfillment=str(status),
        payment_state=str(payment),
        refunded=int(refunded),  # type: ignore[call-overload]
        grand=int(grand),  # type: ignore[call-overload]
        testmode=bool(test),
        physical=bool(physical),
    )
    facts = OrderFacts(_moment(created), str(status), excluded, str(zip_), str(cc))
    normalised = order_number_normalise(str(number)) or str(number)
    return OrderRow(int(pk), normalised, _moment(modified), facts)  # type: ignore[call-overload]


def _label_row(values: tuple[object, ...], shippo_text: str | None, metadata: str) -> LabelRow:
    """Build a LabelRow from its first nine LABEL_FIELDS and its Shippo order's number text."""
    pk, state, status, created, updated, tracking, tn, zip_, cc = values
    number = label_number(shippo_order_number=shippo_text, metadata=metadata)
    return LabelRow(
        int(pk), number, str(state), str(status), _moment(created), _moment(updated),  # type: ignore[call-overload]
        str(tracking), str(tn), str(zip_), str(cc),
    )  # fmt: skip


def full_orders() -> list[OrderRow]:
    """Load every order in one raw read (the ORM's per-row work is the slow part at scale)."""
    columns = ", ".join("id" if f == "pk" else f for f in ORDER_FIELDS)
    sql = f"SELECT {columns} FROM {_table(Order)}"  # noqa: S608 - names from the model
    return [order_row(values) for values in _raw(sql)]


def full_labels(where: str = "") -> list[LabelRow]:
    """Load labels (all, or those `where` selects) with their Shippo order's number text."""
    label, shippo = _table(Label), _table(ShippoOrder)
    columns = ", ".join(f"l.{'id' if f == 'pk' else f}" for f in LABEL_FIELDS[:9])
    sql = (
        f"SELECT {columns}, s.order_number, l.metadata FROM {label} l "  # noqa: S608 - model names
        f"LEFT JOIN {shippo} s ON s.object_id = l.shippo_order_object_id "
        f"AND s.connection_id = l.connection_id AND l.shippo_order_object_id <> '' {where}"
    )
    return [_label_row(v[:9], v[9], str(v[10])) for v in _raw(sql)]  # type: ignore[arg-type]


def shippo_numbers(after_pk: int = 0) -> set[str]:
    """Return the order numbers Shippo orders name (those after `after_pk`, or all)."""
    texts = ShippoOrder.objects.filter(pk__gt=after_pk).values_list("order_number", flat=True)
    return {n for n in map(order_number_normalise, texts.distinct()) if n}


def _raw(sql: str) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def _table(model: type[object]) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def orders_load(query: Q | None = None) -> list[OrderRow]:
    """Load orders (all, or those matching `query`) as rows."""
    orders = (Order.objects.all() if query is None else Order.objects.filter(query)).order_by()
    return [order_row(values) for values in orders.values_list(*ORDER_FIELDS)]


def orders_by_pk(pks: Iterable[int]) -> list[OrderRow]:
    """Load the orders with these primary keys."""
    return [row for chunk in _chunks(pks) for row in orders_load(Q(pk__in=chunk))]


def orders_by_number(numbers: Iterable[str]) -> list[OrderRow]:
    """Load the orders with these (normalised) numbers."""
    return [row for chunk in _chunks(numbers) for row in orders_load(Q(order_number__in=chunk))]


def labels_by_pk(pks: Iterable[int]) -> dict[int, LabelRow]:
    """Load the labels with these primary keys."""
    found: dict[int, LabelRow] = {}
    for chunk in _chunks(pks):
        where = f"WHERE l.id IN ({', '.join(str(int(pk)) for pk in chunk)})"
        found.update((row.pk, row) for row in full_labels(where))
    return found


def decisions_load(world: World) -> None:
    """Put every staff decision on probable matches into the world (the latest one counts)."""
    for order, label, decision in MatchDecision.objects.order_by("pk").values_list(
        "order_id", "label_id", "decision"
    ):
        if decision == Decision.CONFIRM:
            world.confirmed[label] = order
        else:
            world.rejected.add((order, label))


def sizes_load(label_pks: list[int], order_pks: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Return parcels per label (from its shipment) and physical items per order."""
    rates = Label.objects.filter(pk__in=label_pks).values_list("pk", "rate_object_id")
    by_rate = dict(
        Rate.objects.filter(object_id__in=[r for _, r in rates if r]).values_list(
            "object_id", "shipment__parcel_count"
        )
    )
    parcels = {pk: by_rate[rate] for pk, rate in rates if by_rate.get(rate)}
    lines = OrderLine.objects.filter(order_id__in=order_pks, line_type="PHYSICAL_PRODUCT")
    items = dict(lines.values("order_id").annotate(n=Sum("quantity")).values_list("order_id", "n"))
    return parcels, items


def label_pks_naming(numbers: Iterable[str]) -> set[int]:
    """Return the labels whose stored link names one of these numbers."""
    found: set[int] = set()
    for chunk in _chunks(numbers):
        links = LabelLink.objects.filter(number__in=chunk)
        found.update(links.values_list("label_id", flat=True))
    return found


def _chunks(values: Iterable[object]) -> Iterable[list]:  # type: ignore[type-arg]
    """Split values into lists short enough for an IN clause."""
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
