"""Inventory: stock, 28-day velocity, days of cover, stock-out risk, advertised shortages."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property

from django.db.models import Max, Sum

from catalog.models import ProductCampaign
from catalog.selectors import product_by_sku
from dashboards.ranges import DateRange, brand_today
from dashboards.selectors.sales import sku_days
from integrations.models import AdPlatform, InventoryChange, InventoryLevel

VELOCITY_DAYS = 28
HIGH_RISK_DAYS = 7
MEDIUM_RISK_DAYS = 21
RISK_ORDER = {"out": 0, "high": 1, "medium": 2, "low": 3, "none": 4}


@dataclass(frozen=True)
class SkuStock:
    """One SKU's stock and how long it lasts at the recent rate of sale."""

    sku: str
    name: str
    product_id: int | None
    stock: int
    unlimited: bool
    units_sold: int  # over the velocity window
    last_stockout: datetime | None

    # Worked out once per SKU: sorting, the cards and the table each ask again.
    @cached_property
    def velocity(self) -> Decimal:
        """Return units sold per day over the last 28 complete days."""
        return Decimal(self.units_sold) / VELOCITY_DAYS

    @cached_property
    def days_of_cover(self) -> Decimal | None:
        """Return stock ÷ velocity; None when unlimited or nothing sold recently."""
        if self.unlimited or not self.units_sold:
            return None
        return max(Decimal(self.stock), Decimal(0)) / self.velocity

    @cached_property
    def risk(self) -> str:
        """Return out, high (under 7 days of cover), medium (under 21), low, or none."""
        if self.unlimited:
            return "none"
        if self.stock <= 0:
            return "out"
        cover = self.days_of_cover
        if cover is None or cover >= MEDIUM_RISK_DAYS:
            return "low"
        return "high" if cover < HIGH_RISK_DAYS else "medium"


def velocity_window(today: date | None = None) -> DateRange:
    """Return the last 28 complete brand-local days."""
    yesterday = (today or brand_today()) - timedelta(days=1)
    return DateRange(yesterday - timedelta(days=VELOCITY_DAYS - 1), yesterday)


def stock_by_sku(*, today: date | None = None) -> list[SkuStock]:
    """Return every stocked SKU, riskiest first."""
    sold = units_sold_by_sku(velocity_window(today))
    stockouts = _last_stockouts()
    products = product_by_sku()
    levels = (
        InventoryLevel.objects.exclude(sku="")
        .order_by("sku")
        .values_list("pk", "sku", "descriptor", "quantity", "is_unlimited")
    )
    rows = []
    for pk, sku, descriptor, quantity, unlimited in levels:
        product_id, name = products.get(sku, (None, descriptor or "not in catalog"))
        rows.append(SkuStock(sku, name, product_id, quantity, unlimited, sold.get(sku, 0),
                             stockouts.get(pk)))  # fmt: skip
    return sorted(rows, key=lambda r: (RISK_ORDER[r.risk], r.days_of_cover or 0, r.sku))


def units_sold_by_sku(window: DateRange) -> dict[str, int]:
    """Return units sold per SKU in counted orders placed in `window`."""
    rows = sku_days(window).exclude(sku="").values_list("sku").annotate(units=Sum("units"))
    return {sku: int(units or 0) for sku, units in rows.order_by()}


def _last_stockouts() -> dict[int, datetime]:
    rows = (
        InventoryChange.objects.filter(quantity_after__lte=0, is_unlimited=False)
        .values("level_id")
        .annotate(last=Max("observed_at"))
    )
    return {r["level_id"]: r["last"] for r in rows}


@dataclass(frozen=True)
class AdvertisedCampaign:
    name: str
    platform: str
    daily_budget: int | None  # minor units of `currency`
    currency: str


@dataclass
class AdvertisedShortage:
    """A product with a SKU out or at high risk while an active campaign advertises it."""

    product: str
    skus: list[SkuStock] = field(default_factory=list)
    campaigns: list[AdvertisedCampaign] = field(default_factory=list)


def advertised_while_low(stock: list[SkuStock]) -> list[AdvertisedShortage]:
    """Return products advertised by an ACTIVE campaign while one of their SKUs runs short."""
    short: dict[int, list[SkuStock]] = defaultdict(list)
    for row in stock:
        if row.product_id is not None and row.risk in ("out", "high"):
            short[row.product_id].append(row)
    links = (
        ProductCampaign.objects.filter(product_id__in=list(short), campaign__status="ACTIVE")
        .order_by("product__name", "campaign__name")
        .values_list("product_id", "product__name", "campaign__name", "campaign__platform",
                     "campaign__daily_budget", "campaign__currency")
    )  # fmt: skip
    platforms = dict(AdPlatform.choices)
    found: dict[int, AdvertisedShortage] = {}
    for product_id, product, name, platform, budget, currency in links:
        entry = found.setdefault(product_id, AdvertisedShortage(product, short[product_id]))
        entry.campaigns.append(
            AdvertisedCampaign(name, platforms.get(platform, platform), budget, currency)
        )
    return list(found.values())
