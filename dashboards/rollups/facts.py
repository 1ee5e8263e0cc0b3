"""Per-order facts: which orders changed since the last refresh, and their customers' history.

A customer is an email hash. Its history (first counted order, whether it came back, its net
revenue) depends on all its orders, so a change to one order rebuilds the facts of every order
of the same customer, before the change and after it.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby, islice
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from dashboards.models import OrderFact
from integrations.models import Order, OrderLine
from integrations.models.commerce import FulfillmentStatus

CHUNK = 500  # ids per IN (...) list, well under SQLite's limit on query parameters
BATCH = 2000  # facts written per statement
COUNTED = Q(testmode=False) & ~Q(fulfillment_status=FulfillmentStatus.CANCELED)
FACT_FIELDS = [f.name for f in OrderFact._meta.concrete_fields if f.name != "order"]

T = TypeVar("T")


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Yield lists of at most `size` items."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def changed_orders(costs: dict[int, int]) -> set[int]:
    """Orders without facts or with stale ones, deleted orders, and orders whose labels moved."""
    fact = "dashboard_fact__"
    stale = Order.objects.filter(
        Q(**{f"{fact}isnull": True})
        | ~Q(**{f"{fact}modified_on": F("modified_on")})
        | (COUNTED & Q(**{f"{fact}counted": False}))
        | (~COUNTED & Q(**{f"{fact}counted": True}))
        | Q(email_hash="", **{f"{fact}customer__isnull": False})
        | (COUNTED & ~Q(email_hash="") & Q(**{f"{fact}customer__isnull": True}))
    )
    gone = OrderFact.objects.filter(~Exists(Order.objects.filter(pk=OuterRef("order_id"))))
    stored = dict(OrderFact.objects.exclude(label_cost=0).values_list("order_id", "label_cost"))
    moved = {pk for pk in stored.keys() | costs.keys() if stored.get(pk, 0) != costs.get(pk, 0)}
    return {
        *stale.values_list("pk", flat=True),
        *gone.values_list("order_id", flat=True),
        *moved,
    }


def facts_rebuild(pks: set[int] | None, costs: dict[int, int]) -> set[date]:
    """Rebuild the facts of `pks` and their customers' orders (None: every order).

    Return the days those orders were on before and are on now, whose sums must be rebuilt.
    """
    if pks is None:
        # Cleared and inserted afresh: quicker than comparing every row on conflict. The line
        # totals are summed by the database afterwards, not held in memory for every order.
        OrderFact.objects.all().delete()
        _write(_facts(_ordered(Order.objects.all()), costs), insert=True)
        lines = OrderLine.objects.filter(order_id=OuterRef("order_id")).values("order_id")
        total = lines.annotate(total=Sum(F("quantity") * F("unit_price"))).values("total")
        OrderFact.objects.update(line_total=Coalesce(Subquery(total), 0))
        return set(OrderFact.objects.values_list("day", flat=True).distinct())
    pks, hashes = _with_customers(pks)
    days = _days_of(pks)
    streams = [_ordered(Order.objects.filter(email_hash__in=chunk)) for chunk in chunked(hashes)]
    streams += [
        _ordered(Order.objects.filter(pk__in=chunk, email_hash="")) for chunk in chunked(pks)
    ]
    written = _write(fact for stream in streams for fact in _facts(stream, costs))
    for chunk in chunked(pks - written):  # deleted orders
        OrderFact.objects.filter(order_id__in=chunk).delete()
    return days | _days_of(written)


def _with_customers(pks: set[int]) -> tuple[set[int], set[str]]:
    """Add every order that shares a customer with `pks`, as stored or as the orders say now."""
    found = set(pks)
    for chunk in chunked(list(pks)):
        old = OrderFact.objects.filter(order_id__in=chunk, customer__isnull=False)
        customers = list(old.values_list("customer", flat=True))
        found |= set(
            OrderFact.objects.filter(customer__in=customers).values_list("order_id", flat=True)
        )
    hashes: set[str] = set()
    for chunk in chunked(list(found)):
        orders = Order.objects.filter(pk__in=chunk).exclude(email_hash="")
        hashes |= set(orders.values_list("email_hash", flat=True))
    for names in chunked(sorted(hashes)):
        found |= set(Order.objects.filter(email_hash__in=names).values_list("pk", flat=True))
    return found, hashes


def _days_of(pks: set[int]) -> set[date]:
    days: set[date] = set()
    for chunk in chunked(list(pks)):
        days |= set(OrderFact.objects.filter(order_id__in=chunk).values_list("day", flat=True))
    return days


@dataclass(frozen=True)
class _Order:
    pk: int
    email_hash: str
    created_on: datetime
    modified_on: datetime
    counted: bool
    net: int


def _ordered(orders: QuerySet[Order]) -> Iterator[_Order]:
    """Stream orders by customer, then by when they were placed (ties by pk)."""
    rows = orders.order_by("email_hash", "created_on", "pk").values_list(
        "pk", "email_hash", "created_on", "modified_on", "testmode", "fulfillment_status",
        "grand_total", "refunded_total",
    )  # fmt: skip
    for pk, email, created, modified, test, status, total, refunded in rows.iterator(5000):
        counted = not test and status != FulfillmentStatus.CANCELED
        yield _Order(pk, email, created, modified, counted, total - refunded)


def _facts(orders: Iterator[_Order], costs: dict[int, int]) -> Iterator[OrderFact]:
    zone = ZoneInfo(settings.FLUX_BRAND_TIME_ZONE)
    for email_hash, group in groupby(orders, key=lambda o: o.email_hash):
        if not email_hash:  # no customer to follow
            yield from (_fact(o, zone, costs) for o in group)
            continue
        history = list(group)
        counted = [o for o in history if o.counted]
        for order in history:
            yield _customer_fact(_fact(order, zone, costs), order, counted)


def _fact(order: _Order, zone: ZoneInfo, costs: dict[int, int]) -> OrderFact:
    return OrderFact(
        order_id=order.pk,
        day=order.created_on.astimezone(zone).date(),
        modified_on=order.modified_on,
        counted=order.counted,
        label_cost=costs.get(order.pk, 0) if order.counted else 0,
    )


def _customer_fact(fact: OrderFact, order: _Order, counted: Sequence[_Order]) -> OrderFact:
    if not order.counted:
        return fact
    first = counted[0]
    fact.customer, fact.repeat = first.pk, len(counted) > 1
    if order is first:
        later = next((o for o in counted if o.created_on > first.created_on), None)
        fact.first = True
        fact.reordered_after = later.created_on - first.created_on if later else None
        fact.customer_revenue = sum(o.net for o in counted)
    return fact


def _write(facts: Iterable[OrderFact], *, insert: bool = False) -> set[int]:
    """Write the facts; return the order ids written.

    Inserted (into an empty table, line totals left to the caller), or else upserted with each
    batch's line totals.
    """
    written: set[int] = set()
    for batch in chunked(facts, BATCH):
        if insert:
            OrderFact.objects.bulk_create(batch)
            continue
        pks = [fact.order_id for fact in batch]
        totals = _line_totals(OrderLine.objects.filter(order_id__in=pks))
        for fact in batch:
            fact.line_total = totals.get(fact.order_id) or 0
        OrderFact.objects.bulk_create(
            batch, update_conflicts=True, unique_fields=["order"], update_fields=FACT_FIELDS
        )
        written.update(pks)
    return written


def _line_totals(lines: QuerySet[OrderLine]) -> dict[int, int]:
    """Σ quantity × unit price per order of `lines`."""
    rows = lines.values_list("order_id").annotate(total=Sum(F("quantity") * F("unit_price")))
    return dict(rows.order_by())
