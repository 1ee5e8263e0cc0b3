"""The AI call log: calls newest first, and their tokens and cost summed by day and by month."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth

from proposals.models import AICall, AICallStatus

SUMS = {
    "calls": Count("pk"),
    "refused": Count("pk", filter=Q(status=AICallStatus.REFUSED)),
    "failed": Count("pk", filter=Q(status=AICallStatus.ERROR)),
    "input_tokens": Sum("input_tokens"),
    "output_tokens": Sum("output_tokens"),
    "cache_write_tokens": Sum("cache_write_tokens"),
    "cache_read_tokens": Sum("cache_read_tokens"),
    "cost_micro_usd": Sum("cost_micro_usd"),
}


@dataclass(frozen=True)
class CallTotals:
    """Calls, tokens and cost of one day or month (UTC)."""

    period: date
    calls: int
    refused: int
    failed: int
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    cost_micro_usd: int

    @property
    def cost_usd(self) -> Decimal:
        return Decimal(self.cost_micro_usd) / 1_000_000


def calls_recent() -> QuerySet[AICall]:
    """Return every call, newest first, with who started it."""
    return AICall.objects.select_related("triggered_by").order_by("-started_at", "-pk")


def call_totals_by_day(*, limit: int = 31) -> list[CallTotals]:
    """Return totals per UTC day, newest first."""
    return _totals(TruncDay("started_at"), limit)


def call_totals_by_month(*, limit: int = 12) -> list[CallTotals]:
    """Return totals per UTC month, newest first."""
    return _totals(TruncMonth("started_at"), limit)


def _totals(bucket: TruncDay | TruncMonth, limit: int) -> list[CallTotals]:
    rows = (
        AICall.objects.annotate(period=bucket)
        .values("period")
        .annotate(**SUMS)
        .order_by("-period")[:limit]
    )
    return [
        CallTotals(period=_as_date(row["period"]), **{k: int(row[k] or 0) for k in SUMS})
        for row in rows
    ]


def _as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value
