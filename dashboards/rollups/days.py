"""Daily sums over the order facts: SalesDay per day, SkuDay per day and SKU."""

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, FloatField, Max, Q, QuerySet, Sum
from django.db.models.functions import Cast, Coalesce, NullIf

from dashboards.models import OrderFact, SalesDay, SkuDay
from dashboards.rollups.facts import chunked
from dashboards.rollups.sql import insert_select
from dashboards.selectors.sales import COHORT_WINDOWS
from integrations.models import OrderLine
from integrations.models.commerce import FulfillmentStatus


def days_rebuild(days: set[date] | None) -> int:
    """Replace the sums of `days` (None: every day) from the facts; return the rows written."""
    if days is None:
        SalesDay.objects.all().delete()
        SkuDay.objects.all().delete()
        return _write(OrderFact.objects.all(), OrderLine.objects.all())
    written = 0
    for chunk in chunked(sorted(days)):
        SalesDay.objects.filter(day__in=chunk).delete()
        SkuDay.objects.filter(day__in=chunk).delete()
        lines = OrderLine.objects.filter(order__dashboard_fact__day__in=chunk)
        written += _write(OrderFact.objects.filter(day__in=chunk), lines)
    return written


def _write(facts: QuerySet[OrderFact], lines: QuerySet[OrderLine]) -> int:
    # Summed and written by the database: two years of SKU-days never pass through Python.
    return insert_select(SalesDay, _sales_sums(facts)) + insert_select(SkuDay, _sku_sums(lines))


def _sales_sums(facts: QuerySet[OrderFact]) -> QuerySet[OrderFact, dict[str, Any]]:
    counted = Q(counted=True)
    canceled = Q(order__fulfillment_status=FulfillmentStatus.CANCELED)
    first = Q(first=True)
    again = {
        f"again_{days}": Count("pk", filter=first & Q(reordered_after__lte=timedelta(days=days)))
        for days in COHORT_WINDOWS
    }
    return (
        facts.filter(order__testmode=False)
        .values("day")
        .annotate(
            placed=Count("pk"),
            canceled=Count("pk", filter=canceled),
            canceled_total=Sum("order__grand_total", filter=canceled, default=0),
            orders=Count("pk", filter=counted),
            gross=Sum("order__grand_total", filter=counted, default=0),
            refunded=Sum("order__refunded_total", filter=counted, default=0),
            refunded_orders=Count("pk", filter=counted & Q(order__refunded_total__gt=0)),
            label_cost=Sum("label_cost", filter=counted, default=0),
            new_customers=Count("pk", filter=first),
            new_customer_revenue=Sum(
                F("order__grand_total") - F("order__refunded_total"), filter=first, default=0
            ),
            customer_revenue=Sum("customer_revenue", filter=first, default=0),
            **again,
        )
        .order_by("day")
    )


def _sku_sums(lines: QuerySet[OrderLine]) -> QuerySet[OrderLine, dict[str, Any]]:
    fact = "order__dashboard_fact__"
    amount = F("quantity") * F("unit_price")
    # The order's label cost shared by line amount (no share when its lines total nothing).
    share = Cast(F(f"{fact}label_cost"), FloatField()) * amount / NullIf(F(f"{fact}line_total"), 0)
    return (
        lines.filter(**{f"{fact}counted": True})
        .values("sku", day=F(f"{fact}day"))
        .annotate(
            name=Max("product_name"),
            units=Sum("quantity"),
            revenue=Sum(amount),
            label_share=Coalesce(Sum(share, output_field=FloatField()), 0.0),
        )
        .order_by("day")  # each day's rows together on disk, as the pages read them
    )
