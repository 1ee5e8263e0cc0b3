"""Ad questions across Meta and Google Ads (one model, no per-platform code).

Money stays in micros of each ad account's currency. Every grouping below also groups by that
currency, so yen and dollars are never added together: a brand with a JPY account gets one
row (and one total) per currency.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from dashboards.metrics import micros_to_major, ratio
from dashboards.ranges import DateRange
from integrations.models import CampaignDay

CURRENCY = "campaign__ad_account__currency"
SUMS: dict[str, Any] = {
    "impressions": Sum("impressions"),
    "clicks": Sum("clicks"),
    "spend_micros": Sum("spend_micros"),
    "conversions": Sum("conversions"),
    "conversion_value_micros": Sum("conversion_value_micros"),
    "settling_days": Count("day", distinct=True, filter=Q(settling=True)),
}
FORMULAS = {
    "ctr": "clicks ÷ impressions",
    "cpc": "spend ÷ clicks",
    "cpa": "spend ÷ conversions",
    "roas": "conversion value ÷ spend",
}


@dataclass(frozen=True)
class AdFigures:
    """Summed delivery and results in one currency, with the ratios derived from them."""

    currency: str
    impressions: int = 0
    clicks: int = 0
    spend_micros: int = 0
    conversions: Decimal = Decimal(0)
    conversion_value_micros: int = 0
    settling_days: int = 0  # distinct days in the group that may still change

    @property
    def spend(self) -> Decimal:
        return micros_to_major(self.spend_micros) or Decimal(0)

    @property
    def conversion_value(self) -> Decimal:
        return micros_to_major(self.conversion_value_micros) or Decimal(0)

    @property
    def ctr(self) -> Decimal | None:
        return ratio(self.clicks, self.impressions)

    @property
    def cpc(self) -> Decimal | None:
        return ratio(self.spend, self.clicks)

    @property
    def cpa(self) -> Decimal | None:
        return ratio(self.spend, self.conversions)

    @property
    def roas(self) -> Decimal | None:
        return ratio(self.conversion_value, self.spend)


@dataclass(frozen=True)
class PlatformRow(AdFigures):
    platform: str = ""


@dataclass(frozen=True)
class CampaignRow(AdFigures):
    campaign_id: int = 0
    name: str = ""
    platform: str = ""
    status: str = ""
    daily_budget_minor: int | None = None


@dataclass(frozen=True)
class DayRow(AdFigures):
    day: date = date.min


def ad_spend(period: DateRange) -> Decimal:
    """Total ad spend over `period` in major units of the account currency."""
    days = CampaignDay.objects.filter(day__gte=period.start, day__lte=period.end)
    micros = days.aggregate(total=Sum("spend_micros"))["total"] or 0
    return Decimal(micros) / 1_000_000


def days_in(period: DateRange) -> QuerySet[CampaignDay]:
    """Campaign days of every platform on the account-local days of `period`."""
    return CampaignDay.objects.filter(day__gte=period.start, day__lte=period.end)


def ad_totals(period: DateRange) -> list[AdFigures]:
    """Totals over `period`, one per account currency, biggest spend first."""
    rows = days_in(period).values(CURRENCY).annotate(**SUMS).order_by("-spend_micros", CURRENCY)
    return [AdFigures(currency=row[CURRENCY], **_figures(row)) for row in rows]


def ads_by_platform(period: DateRange) -> list[PlatformRow]:
    """Per platform and currency over `period`, biggest spend first."""
    rows = (
        days_in(period)
        .values("campaign__platform", CURRENCY)
        .annotate(**SUMS)
        .order_by("-spend_micros", "campaign__platform", CURRENCY)
    )
    return [
        PlatformRow(currency=row[CURRENCY], platform=row["campaign__platform"], **_figures(row))
        for row in rows
    ]


def ads_by_campaign(period: DateRange) -> list[CampaignRow]:
    """Per campaign over `period` with its current status and daily budget, biggest spend first."""
    fields = ("campaign_id", "campaign__name", "campaign__platform", "campaign__status")
    rows = (
        days_in(period)
        .values(*fields, "campaign__daily_budget", CURRENCY)
        .annotate(**SUMS)
        .order_by("-spend_micros", "campaign__name", "campaign_id")
    )
    return [_campaign_row(row) for row in rows]


def _campaign_row(row: dict[str, Any]) -> CampaignRow:
    return CampaignRow(
        currency=row[CURRENCY],
        campaign_id=row["campaign_id"],
        name=row["campaign__name"],
        platform=row["campaign__platform"],
        status=row["campaign__status"],
        daily_budget_minor=row["campaign__daily_budget"],
        **_figures(row),
    )


def ads_by_day(period: DateRange) -> list[DayRow]:
    """Per account-local day and currency over `period`, oldest day first."""
    rows = days_in(period).values("day", CURRENCY).annotate(**SUMS).order_by("day", CURRENCY)
    return [DayRow(currency=row[CURRENCY], day=row["day"], **_figures(row)) for row in rows]


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "impressions": row["impressions"] or 0,
        "clicks": row["clicks"] or 0,
        "spend_micros": row["spend_micros"] or 0,
        "conversions": Decimal(row["conversions"] or 0),
        "conversion_value_micros": row["conversion_value_micros"] or 0,
        "settling_days": row["settling_days"] or 0,
    }
