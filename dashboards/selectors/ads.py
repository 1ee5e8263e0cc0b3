"""Ad questions across Meta and Google Ads (one model, no per-platform code)."""

from decimal import Decimal

from django.db.models import Sum

from dashboards.ranges import DateRange
from integrations.models import CampaignDay


def ad_spend(period: DateRange) -> Decimal:
    """Total ad spend over `period` in major units of the account currency."""
    days = CampaignDay.objects.filter(day__gte=period.start, day__lte=period.end)
    micros = days.aggregate(total=Sum("spend_micros"))["total"] or 0
    return Decimal(micros) / 1_000_000
