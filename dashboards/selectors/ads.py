"""Ad questions across Meta and Google Ads (one model, no per-platform code).

Money stays in micros of each ad account's currency. Every grouping below also groups by that
currency, so yen and dollars are never added together: a brand with a JPY account gets one
row (and one total) per currency. Days, platforms and totals read the daily rollup (AdDay);
only the per-campaign rows read the campaign-days.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from dashboards.cache import cached_on_rollups
from dashboards.metrics import micros_to_major, ratio
from dashboards.models import AdDay
from dashboards.ranges import DateRange
from integrations.models import Campaign, CampaignDay

SUMMED = ("impressions", "clicks", "spend_micros", "conversions", "conversion_value_micros")
SUMS: dict[str, Any] = {
    "impressions": Sum("impressions"),
    "clicks": Sum("clicks"),
    "spend_micros": Sum("spend_micros"),
    "conversions": Sum("conversions"),
    "conversion_value_micros": Sum("conversion_value_micros"),
    # Rows per group that are settling; in a per-day or per-campaign group, that is days.
    "settling_days": Count("id", filter=Q(settling=True)),
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


@dataclass(frozen=True)
class PlatformDayRow(DayRow):
    platform: str = ""


def ad_spend(period: DateRange) -> Decimal:
    """Total ad spend over `period` in major units of the account currency."""
    micros = ad_days(period).aggregate(total=Sum("spend_micros"))["total"] or 0
    return Decimal(micros) / 1_000_000


def ad_days(period: DateRange) -> QuerySet[AdDay]:
    """The daily sums per platform and currency on the account-local days of `period`."""
    return AdDay.objects.filter(day__gte=period.start, day__lte=period.end)


def days_in(period: DateRange) -> QuerySet[CampaignDay]:
    """Campaign days of every platform on the account-local days of `period`."""
    return CampaignDay.objects.filter(day__gte=period.start, day__lte=period.end)


def ads_by_day_platform(period: DateRange) -> list[PlatformDayRow]:
    """Per day, platform and currency over `period`: the grain the other groupings sum up."""
    rows = ad_days(period).order_by("day", "platform", "currency")
    return [
        PlatformDayRow(
            currency=row.currency, day=row.day, platform=row.platform,
            impressions=row.impressions, clicks=row.clicks, spend_micros=row.spend_micros,
            conversions=row.conversions, conversion_value_micros=row.conversion_value_micros,
            settling_days=row.settling_rows,
        )
        for row in rows
    ]  # fmt: skip


def _merge(rows: Iterable[PlatformDayRow], key: Callable[[PlatformDayRow], Any]) -> dict[Any, Any]:
    """Sum rows by `key`; settling days count each distinct day once."""
    sums: dict[Any, list[Any]] = {}
    settling: dict[Any, set[date]] = defaultdict(set)
    for row in rows:
        k = key(row)
        total = sums.setdefault(k, [0, 0, 0, Decimal(0), 0])
        total[0] += row.impressions
        total[1] += row.clicks
        total[2] += row.spend_micros
        total[3] += row.conversions
        total[4] += row.conversion_value_micros
        if row.settling_days:
            settling[k].add(row.day)
    return {k: dict(zip(SUMMED, t, strict=True), settling_days=len(settling[k]))
            for k, t in sums.items()}  # fmt: skip


def totals_of(rows: Iterable[PlatformDayRow]) -> list[AdFigures]:
    """One total per currency, biggest spend first."""
    merged = _merge(rows, lambda r: r.currency)
    found = [AdFigures(currency=c, **f) for c, f in merged.items()]
    return sorted(found, key=lambda r: (-r.spend_micros, r.currency))


def platforms_of(rows: Iterable[PlatformDayRow]) -> list[PlatformRow]:
    """One row per platform and currency, biggest spend first."""
    merged = _merge(rows, lambda r: (r.platform, r.currency))
    found = [PlatformRow(currency=c, platform=p, **f) for (p, c), f in merged.items()]
    return sorted(found, key=lambda r: (-r.spend_micros, r.platform, r.currency))


def days_of(rows: Iterable[PlatformDayRow]) -> list[DayRow]:
    """One row per day and currency, oldest first."""
    merged = _merge(rows, lambda r: (r.day, r.currency))
    return [DayRow(currency=c, day=d, **f) for (d, c), f in sorted(merged.items())]


def ad_totals(period: DateRange) -> list[AdFigures]:
    """Totals over `period`, one per account currency, biggest spend first."""
    return totals_of(ads_by_day_platform(period))


def ads_by_platform(period: DateRange) -> list[PlatformRow]:
    """Per platform and currency over `period`, biggest spend first."""
    return platforms_of(ads_by_day_platform(period))


def ads_by_day(period: DateRange) -> list[DayRow]:
    """Per account-local day and currency over `period`, oldest day first."""
    return days_of(ads_by_day_platform(period))


def ads_by_campaign(period: DateRange) -> list[CampaignRow]:
    """Per campaign over `period` with its current status and daily budget, biggest spend first."""
    return campaign_rows(campaign_sums(period))


def campaign_sums(period: DateRange) -> list[dict[str, Any]]:
    """The delivery sums of each campaign with days in `period`."""
    # Summed by campaign id alone, then named: grouping by the campaign's columns costs more.
    return list(days_in(period).values("campaign_id").annotate(**SUMS).order_by())


def campaign_rows(sums: list[dict[str, Any]]) -> list[CampaignRow]:
    """The sums with each campaign's name, status and budget as they are now, most spend first."""
    found = Campaign.objects.filter(pk__in=[row["campaign_id"] for row in sums])
    campaigns = {pk: info for pk, *info in found.values_list("pk", *CAMPAIGN_FIELDS)}
    rows = [_campaign_row(row, campaigns[row["campaign_id"]]) for row in sums]
    return sorted(rows, key=lambda r: (-r.spend_micros, r.name, r.campaign_id))


@dataclass(frozen=True)
class AdsSums:
    """What the rollups and campaign-days say for the ads page: cached between refreshes."""

    grain: list[PlatformDayRow]  # the range's days x platforms
    before: list[AdFigures]  # the comparison's totals
    campaigns: list[dict[str, Any]]  # campaign_sums() of the range


def ads_sums(current: DateRange, comparison: DateRange | None) -> AdsSums:
    """The ads page's sums, read once per refresh of the ads rollups (after every ads sync)."""

    def read() -> AdsSums:
        before = ad_totals(comparison) if comparison else []
        return AdsSums(ads_by_day_platform(current), before, campaign_sums(current))

    return cached_on_rollups(("ads",), ("ads", current, comparison), read)


CAMPAIGN_FIELDS = ("name", "platform", "status", "daily_budget", "currency")


def _campaign_row(row: dict[str, Any], info: list[Any]) -> CampaignRow:
    name, platform, status, budget, currency = info  # CAMPAIGN_FIELDS
    return CampaignRow(
        currency=currency, campaign_id=row["campaign_id"], name=name, platform=platform,
        status=status, daily_budget_minor=budget, **_figures(row),
    )  # fmt: skip


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "impressions": row["impressions"] or 0,
        "clicks": row["clicks"] or 0,
        "spend_micros": row["spend_micros"] or 0,
        "conversions": Decimal(row["conversions"] or 0),
        "conversion_value_micros": row["conversion_value_micros"] or 0,
        "settling_days": row["settling_days"] or 0,
    }
