"""Load the orders, labels and Shippo orders a run judges, as compact rows."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from integrations.models import Label, Order, ShippoOrder
from integrations.order_numbers import order_number_normalise
from reconciliation.models import Decision, LabelLink, MatchDecision, ShippoOrderKey
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
        """Take orders into the world, indexed by number."""
        for row in rows:
            self.orders[row.pk] = row
            self.by_number.setdefault(row.number, row.pk)


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


def label_row(values: tuple[object, ...], shippo_numbers: dict[str, str]) -> LabelRow:
    """Build a LabelRow; its number comes from its Shippo order, else from its metadata."""
    metadata, shippo_id = values[9], values[10]
    number = shippo_numbers.get(str(shippo_id), "") if shippo_id else ""
    return _label_row(values[:9], number, str(metadata))


def _label_row(values: tuple[object, ...], number: str | None, metadata: str) -> LabelRow:
    """Build a LabelRow from its first nine LABEL_FIELDS and the number its Shippo order names."""
    pk, state, status, created, updated, tracking, tn, zip_, cc = values
    number = number or order_number_normalise(metadata) or ""
    return LabelRow(
        int(pk), number, str(state), str(status), _moment(created), _moment(updated),  # type: ignore[call-overload]
        str(tracking), str(tn), str(zip_), str(cc),
    )  # fmt: skip


def full_orders() -> list[OrderRow]:
    """Load every order in one raw read (the ORM's per-row work is the slow part at scale)."""
    columns = ", ".join("id" if f == "pk" else f for f in ORDER_FIELDS)
    sql = f"SELECT {columns} FROM {_table(Order)}"  # noqa: S608 - names from the model
    return [order_row(values) for values in _raw(sql)]


def full_labels() -> list[LabelRow]:
    """Load every label with the number its Shippo order's stored key names, in one read."""
    label, shippo, key = _table(Label), _table(ShippoOrder), _table(ShippoOrderKey)
    columns = ", ".join(f"l.{'id' if f == 'pk' else f}" for f in LABEL_FIELDS[:9])
    sql = (
        f"SELECT {columns}, k.number, l.metadata FROM {label} l "  # noqa: S608 - model names
        f"LEFT JOIN {shippo} s ON s.object_id = l.shippo_order_object_id "
        f"AND s.connection_id = l.connection_id AND l.shippo_order_object_id <> '' "
        f"LEFT JOIN {key} k ON k.shippo_order_id = s.id"
    )
    return [_label_row(v[:9], v[9], str(v[10])) for v in _raw(sql)]  # type: ignore[arg-type]


def shippo_key_numbers() -> set[str]:
    """Return every order number some Shippo order names."""
    keys = ShippoOrderKey.objects.exclude(number="").values_list("number", flat=True)
    return set(keys.distinct())


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


def labels_load(query: Q | None, shippo_numbers: dict[str, str]) -> list[LabelRow]:
    """Load labels (all, or those matching `query`) as rows."""
    labels = (Label.objects.all() if query is None else Label.objects.filter(query)).order_by()
    return [label_row(values, shippo_numbers) for values in labels.values_list(*LABEL_FIELDS)]


def shippo_numbers_for(object_ids: Iterable[str]) -> dict[str, str]:
    """Return Shippo order object id -> number, from the stored keys."""
    found: dict[str, str] = {}
    for chunk in _chunks(object_ids):
        keys = ShippoOrderKey.objects.filter(shippo_order__object_id__in=chunk)
        found.update(keys.values_list("shippo_order__object_id", "number"))
    return found


def numbers_in_shippo(numbers: Iterable[str]) -> set[str]:
    """Return which of these order numbers have a Shippo order."""
    found: set[str] = set()
    for chunk in _chunks(numbers):
        keys = ShippoOrderKey.objects.filter(number__in=chunk)
        found.update(keys.values_list("number", flat=True))
    return found


def decisions_load(world: World) -> None:
    """Put every staff decision on probable matches into the world."""
    for order, label, decision in MatchDecision.objects.values_list(
        "order_id", "label_id", "decision"
    ):
        if decision == Decision.CONFIRM:
            world.confirmed[label] = order
        else:
            world.rejected.add((order, label))


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
