"""Sales questions over synced Squarespace orders."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum

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


def sales_totals(period: DateRange) -> SalesTotals:
    """Net revenue (grand total minus refunds), order count and currency over `period`."""
    totals = orders_in(period).aggregate(
        gross=Sum("grand_total"), refunded=Sum("refunded_total"), orders=Count("id")
    )
    revenue = (totals["gross"] or 0) - (totals["refunded"] or 0)
    return SalesTotals(revenue, totals["orders"], _currency())


def brand_day_bounds(period: DateRange) -> tuple[datetime, datetime]:
    """The UTC instants where the first brand-local day starts and the day after the last."""
    zone = ZoneInfo(settings.FLUX_BRAND_TIME_ZONE)
    start = datetime.combine(period.start, time.min, tzinfo=zone)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _currency() -> str:
    found = counted_orders().exclude(Q(currency="")).values_list("currency", flat=True).first()
    return found or "USD"


def revenue_by_day(period: DateRange) -> dict[date, int]:
    """Net revenue in minor units per brand-local day, every day present (zero when none)."""
    from django.db.models.functions import TruncDate

    zone = ZoneInfo(settings.FLUX_BRAND_TIME_ZONE)
    rows = (
        orders_in(period)
        .annotate(day=TruncDate("created_on", tzinfo=zone))
        .values("day")
        .annotate(gross=Sum("grand_total"), refunded=Sum("refunded_total"))
    )
    by_day = {row["day"]: (row["gross"] or 0) - (row["refunded"] or 0) for row in rows}
    return {day: by_day.get(day, 0) for day in period.each_day()}
