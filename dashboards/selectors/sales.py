"""Sales questions over synced Squarespace orders, answered from the daily rollups.

SalesDay and SkuDay (dashboards.models) hold each brand-local day's sums; they are kept by
dashboards.rollups.orders after every orders sync. Only the currency and the
revenue by state read the orders themselves.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from catalog.selectors import product_by_sku
from dashboards.cache import cached_on_rollups
from dashboards.models import SalesDay, SkuDay
from dashboards.ranges import DateRange
from integrations.models import Order


@dataclass(frozen=True)
class SalesTotals:
    revenue_minor: int
    orders: int
    currency: str

    @property
    def aov_minor(self) -> int | None:
        return self.revenue_minor // self.orders if self.orders else None


def counted_orders() -> QuerySet[Order]:
    """Orders that count as sales: not test mode, not cancelled."""
    return Order.objects.filter(testmode=False).exclude(fulfillment_status="CANCELED")


def orders_in(period: DateRange) -> QuerySet[Order]:
    """Counted orders placed on the brand-local days of `period`."""
    start, end = brand_day_bounds(period)
    return counted_orders().filter(created_on__gte=start, created_on__lt=end)


def sales_days(period: DateRange) -> QuerySet[SalesDay]:
    """The daily order sums on the days of `period` (days without orders have no row)."""
    return SalesDay.objects.filter(day__gte=period.start, day__lte=period.end)


def sales_totals(period: DateRange) -> SalesTotals:
    """Net revenue (grand total minus refunds), order count and currency over `period`."""
    return SalesDays(period).totals(order_currency())


def brand_day_bounds(period: DateRange) -> tuple[datetime, datetime]:
    """The UTC instants where the first brand-local day starts and the day after the last."""
    zone = ZoneInfo(settings.FLUX_BRAND_TIME_ZONE)
    start = datetime.combine(period.start, time.min, tzinfo=zone)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def order_currency() -> str:
    """The currency of the latest counted order (USD before the first)."""
    found = counted_orders().exclude(Q(currency="")).values_list("currency", flat=True).first()
    return found or "USD"


def revenue_by_day(period: DateRange) -> dict[date, int]:
    """Net revenue in minor units per brand-local day, every day present (zero when none)."""
    return {d.day: d.revenue_minor for d in sales_by_day(period)}


@dataclass(frozen=True)
class DaySales:
    day: date
    revenue_minor: int
    orders: int


def sales_by_day(period: DateRange) -> list[DaySales]:
    """Net revenue and order count per brand-local day, every day present."""
    return SalesDays(period).by_day()


def _net(row: dict[str, Any]) -> int:
    return int(row["gross"] or 0) - int(row["refunded"] or 0)


@dataclass(frozen=True)
class ItemSales:
    """Units and line revenue (unit price times quantity, before discounts) of a SKU or product."""

    name: str
    sku: str
    units: int
    revenue_minor: int
    in_catalog: bool


def sku_days(period: DateRange) -> QuerySet[SkuDay]:
    """The daily per-SKU line sums of counted orders on the days of `period`."""
    return SkuDay.objects.filter(day__gte=period.start, day__lte=period.end)


def sku_sales(period: DateRange) -> list[ItemSales]:
    """Units and line revenue per SKU, named by its catalog product when it has one."""
    return named_skus(sku_sums(period))


def sku_sums(period: DateRange) -> list[tuple[str, str, int, int]]:
    """SKU, line name, units and line revenue per SKU, most revenue first."""
    rows = (
        sku_days(period)
        .values_list("sku")
        .annotate(name=Max("name"), units=Sum("units"), revenue=Sum("revenue"))
        .order_by("-revenue", "sku")
    )
    return [(sku, name, int(units or 0), int(revenue or 0)) for sku, name, units, revenue in rows]


def named_skus(sums: list[tuple[str, str, int, int]]) -> list[ItemSales]:
    """The SKU sums named by their catalog product as the catalog says now."""
    products = product_by_sku()
    return [
        ItemSales(products.get(sku, (0, name))[1], sku, units, revenue, sku in products)
        for sku, name, units, revenue in sums
    ]


def product_sales(period: DateRange) -> list[ItemSales]:
    """Units and line revenue per catalog product; SKUs outside the catalog by their line name."""
    return products_of(sku_sales(period))


def products_of(skus: list[ItemSales]) -> list[ItemSales]:
    """The SKU figures merged per catalog product (SKUs outside it by their line name)."""
    merged: dict[str, ItemSales] = {}
    for item in skus:
        key = item.name if item.in_catalog else f"~{item.name}"
        seen = merged.get(key)
        units, revenue = (seen.units, seen.revenue_minor) if seen else (0, 0)
        merged[key] = ItemSales(item.name, "", units + item.units,
                                revenue + item.revenue_minor, item.in_catalog)  # fmt: skip
    return sorted(merged.values(), key=lambda i: (-i.revenue_minor, i.name))


@dataclass(frozen=True)
class StateSales:
    country: str
    state: str
    orders: int
    revenue_minor: int


def sales_by_state(period: DateRange) -> list[StateSales]:
    """Orders and net revenue per shipping state, largest first."""
    rows = (
        orders_in(period)
        .values("ship_country", "ship_state")
        .annotate(gross=Sum("grand_total"), refunded=Sum("refunded_total"), orders=Count("id"))
    )
    found = [StateSales(r["ship_country"], r["ship_state"], r["orders"], _net(r)) for r in rows]
    return sorted(found, key=lambda s: (-s.revenue_minor, s.country, s.state))


@dataclass(frozen=True)
class Returns:
    """Refunds and cancellations among the period's orders (test orders excluded)."""

    placed: int
    canceled: int
    canceled_minor: int
    counted: int
    refunded_orders: int
    refunded_minor: int
    gross_minor: int

    @property
    def cancel_rate(self) -> float | None:
        return self.canceled / self.placed if self.placed else None

    @property
    def refund_rate(self) -> float | None:
        return self.refunded_minor / self.gross_minor if self.gross_minor else None

    @property
    def refunded_order_rate(self) -> float | None:
        return self.refunded_orders / self.counted if self.counted else None


class SalesDays:
    """A period's daily order sums, read once on first use, summed as each question asks."""

    def __init__(self, period: DateRange) -> None:
        self.period = period

    @cached_property
    def rows(self) -> list[SalesDay]:
        return list(sales_days(self.period))

    def totals(self, currency: str) -> SalesTotals:
        """Net revenue (grand totals minus refunds) and counted orders."""
        revenue = sum(day.gross - day.refunded for day in self.rows)
        return SalesTotals(revenue, sum(day.orders for day in self.rows), currency)

    def by_day(self) -> list[DaySales]:
        """Net revenue and order count per brand-local day, every day present."""
        found = {day.day: (day.gross - day.refunded, day.orders) for day in self.rows}
        return [DaySales(day, *found.get(day, (0, 0))) for day in self.period.each_day()]

    def returns(self) -> Returns:
        """Cancellations and refunds of the orders placed in the period."""
        fields = ("placed", "canceled", "canceled_total", "orders", "refunded_orders",
                  "refunded", "gross")  # fmt: skip
        return Returns(*(sum(getattr(day, f) for day in self.rows) for f in fields))


def returns_in(period: DateRange) -> Returns:
    """Count and sum cancellations and refunds of the orders placed in `period`."""
    return SalesDays(period).returns()


@dataclass(frozen=True)
class SalesSums:
    """What the rollups say for the sales page: cached as a whole between refreshes."""

    current: SalesDays
    comparison: SalesDays | None
    skus: list[tuple[str, str, int, int]]
    states: list[StateSales]
    cohorts: list["Cohort"]
    currency: str  # the latest counted order's


def sales_sums(current: DateRange, comparison: DateRange | None) -> SalesSums:
    """The sales page's sums, read once per refresh of the order rollups."""

    def read() -> SalesSums:
        now, before = SalesDays(current), SalesDays(comparison) if comparison else None
        _ = now.rows, before.rows if before else None
        return SalesSums(now, before, sku_sums(current), sales_by_state(current),
                         cohorts(current), order_currency())  # fmt: skip

    key = ("sales", current, comparison)
    return cached_on_rollups(("orders",), key, read)


COHORT_WINDOWS = (30, 90, 180)  # days after the first order: about 1, 3 and 6 months
COHORT_MONTHS = 12


@dataclass(frozen=True)
class Cohort:
    """Customers (email hashes) whose first order ever fell in `month`, and what they did next."""

    month: date
    customers: int
    repeat: dict[int, int | None]  # window days -> customers who ordered again (None: too soon)
    first_revenue_minor: int
    revenue_minor: int  # every order of these customers to date

    def rate(self, window: int) -> float | None:
        """Return the share of the cohort that ordered again within `window` days."""
        found = self.repeat.get(window)
        return found / self.customers if found is not None and self.customers else None


def cohorts(period: DateRange, *, today: date | None = None) -> list[Cohort]:
    """First-order cohorts for the months up to the end of `period`, newest first."""
    months = _months_back(period.end, COHORT_MONTHS)
    rows = (
        SalesDay.objects.filter(day__gte=months[-1], day__lte=period.end, new_customers__gt=0)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(
            customers=Sum("new_customers"),
            first_revenue=Sum("new_customer_revenue"),
            revenue=Sum("customer_revenue"),
            **{f"again_{days}": Sum(f"again_{days}") for days in COHORT_WINDOWS},
        )
        .order_by()
    )
    found = {_as_date(r["month"]): r for r in rows}
    last_day = today or period.end
    return [_cohort(m, found[m], last_day) for m in months if m in found]


def _cohort(month: date, row: dict[str, Any], last_day: date) -> Cohort:
    month_end = _months_back(month, -1)[-1] - timedelta(days=1)
    repeat = {
        days: (row[f"again_{days}"] if month_end + timedelta(days=days) <= last_day else None)
        for days in COHORT_WINDOWS
    }
    return Cohort(month, row["customers"], repeat, int(row["first_revenue"] or 0),
                  int(row["revenue"] or 0))  # fmt: skip


def _months_back(day: date, count: int) -> list[date]:
    """Return the first days of `count` months ending with `day`'s, newest first.

    A negative count returns the first day of the month after `day`'s, in a list.
    """
    first = day.replace(day=1)
    if count < 0:
        return [(first + timedelta(days=32)).replace(day=1)]
    months = [first]
    while len(months) < count:
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return months


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
