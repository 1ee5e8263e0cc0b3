"""Overview questions that join sales, ads, shipping and the catalog.

Definitions (each page shows them beside the figure):
- revenue: grand totals - refunds of counted orders (dashboards.selectors.sales);
- MER: revenue ÷ total ad spend;  blended ROAS: platform conversion value ÷ total ad spend;
- new customer: an email hash whose first counted order ever falls in the period; new-customer
  revenue is the revenue of those first orders only;  CAC: ad spend ÷ new customers;
- repeat-customer rate: customers (email hashes) with an order in the period and 2 or more
  counted orders ever ÷ customers with an order in the period;
- contribution margin: revenue - COGS (catalog unit cost x units, by SKU) - the Shippo label
  cost of valid labels linked to the order - ad spend.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from catalog.models import ProductCampaign, ProductVariant
from dashboards.cache import cached_on_rollups
from dashboards.models import AdDay, OrderFact, SalesDay
from dashboards.ranges import DateRange
from dashboards.rollups.labels import label_costs
from dashboards.selectors.ads import ad_days
from dashboards.selectors.sales import (
    SalesDays,
    SalesTotals,
    order_currency,
    orders_in,
    sku_days,
)
from dashboards.selectors.search import search_totals
from integrations.models import CampaignDay


@dataclass(frozen=True)
class AdSummary:
    """Spend per platform and platform-reported conversion value, in micros."""

    spend_by_platform: dict[str, int]
    conversion_value_micros: int
    settling_days: int
    first_settling_day: date | None

    @property
    def spend_micros(self) -> int:
        return sum(self.spend_by_platform.values())


@dataclass(frozen=True)
class NewCustomers:
    customers: int
    revenue_minor: int


@dataclass(frozen=True)
class RepeatCustomers:
    customers: int
    repeat: int

    @property
    def rate(self) -> float | None:
        return self.repeat / self.customers if self.customers else None


def repeat_customers(period: DateRange) -> RepeatCustomers:
    """Customers with an order in `period`, and how many of them have 2+ counted orders ever."""
    # Facts of counted orders with an email hash name their customer (see dashboards.models).
    facts = OrderFact.objects.filter(
        day__gte=period.start, day__lte=period.end, customer__isnull=False
    )
    totals = facts.aggregate(
        customers=Count("customer", distinct=True),
        repeat=Count("customer", distinct=True, filter=Q(repeat=True)),
    )
    return RepeatCustomers(totals["customers"], totals["repeat"])


def organic_clicks(period: DateRange) -> tuple[int, int]:
    """Search Console clicks over `period`, and how many of its days are still fresh."""
    totals = search_totals(period)
    return totals.clicks, totals.fresh_days


class PeriodSums:
    """What the rollups say about one period, each part read once, on first use.

    period_sums() caches a loaded one between refreshes; nothing here reads the catalog.
    """

    def __init__(self, period: DateRange) -> None:
        self.period = period
        self.days = SalesDays(period)

    @property
    def sales(self) -> list[SalesDay]:
        return self.days.rows

    @cached_property
    def ads(self) -> list[AdDay]:
        return list(ad_days(self.period))

    @cached_property
    def repeat(self) -> RepeatCustomers:
        return repeat_customers(self.period)

    @cached_property
    def search(self) -> tuple[int, int]:
        return organic_clicks(self.period)

    @cached_property
    def currency(self) -> str:
        return order_currency()

    @cached_property
    def sku_units(self) -> dict[date, dict[str, int]]:
        """Units per SKU on each day, for COGS at the catalog's costs of the moment."""
        # A dict per day, not a tuple per SKU-day: thousands fewer objects to cache and collect.
        found: dict[date, dict[str, int]] = defaultdict(dict)
        for day, sku, units in sku_days(self.period).values_list("day", "sku", "units"):
            found[day][sku] = units
        return dict(found)

    @cached_property
    def sku_totals(self) -> list[tuple[str, int, int, float]]:
        """Per SKU: units, line revenue and label share over the period."""
        rows = (
            sku_days(self.period)
            .values_list("sku")
            .annotate(units=Sum("units"), revenue=Sum("revenue"), labels=Sum("label_share"))
            .order_by("sku")
        )
        return list(rows)

    @cached_property
    def campaign_spend(self) -> dict[int, int]:
        """Spend in micros per campaign over the period."""
        rows = CampaignDay.objects.filter(day__gte=self.period.start, day__lte=self.period.end)
        return dict(rows.values_list("campaign_id").annotate(total=Sum("spend_micros")).order_by())

    def loaded(self, parts: tuple[str, ...]) -> "PeriodSums":
        """Read the named parts now (so the whole can be cached)."""
        for name in parts:
            getattr(self, name)
        return self

    def sales_totals(self, currency: str) -> SalesTotals:
        """Net revenue and counted orders (as dashboards.selectors.sales.sales_totals)."""
        return self.days.totals(currency)

    def revenue_by_day(self) -> dict[date, int]:
        """Net revenue in minor units per brand-local day, every day present."""
        return {day.day: day.revenue_minor for day in self.days.by_day()}

    def new_customers(self) -> NewCustomers:
        """Customers whose first counted order ever falls in the period, and its revenue."""
        # A customer's first order is its earliest counted one (ties: the lower pk).
        return NewCustomers(
            sum(day.new_customers for day in self.sales),
            sum(day.new_customer_revenue for day in self.sales),
        )

    def ad_summary(self) -> AdSummary:
        """Spend per platform, conversion value and settling days."""
        spend: dict[str, int] = defaultdict(int)
        for row in self.ads:
            spend[row.platform] += row.spend_micros
        settling = sorted({row.day for row in self.ads if row.settling_rows})
        return AdSummary(
            spend_by_platform=dict(spend),
            conversion_value_micros=sum(row.conversion_value_micros for row in self.ads),
            settling_days=len(settling),
            first_settling_day=settling[0] if settling else None,
        )

    def spend_by_day(self) -> dict[date, int]:
        """Ad spend in micros per account-local day, every day present."""
        found: dict[date, int] = defaultdict(int)
        for row in self.ads:
            found[row.day] += row.spend_micros
        return {day: found.get(day, 0) for day in self.period.each_day()}


# The parts of PeriodSums each use reads (others are read on first use, uncached).
CARDS = ("sales", "ads", "repeat", "search", "sku_units")  # the overview's comparison
OVERVIEW = (*CARDS, "currency", "sku_totals", "campaign_spend")
TIMELINE = ("sales", "ads", "currency")  # what changed


def period_sums(period: DateRange, parts: tuple[str, ...] = OVERVIEW) -> PeriodSums:
    """The period's sums, read once per refresh of the order, ads and search rollups."""

    def read() -> PeriodSums:
        return PeriodSums(period).loaded(parts)

    key = ("period_sums", period.start, period.end, parts)
    return cached_on_rollups(("orders", "ads", "search"), key, read)


def ad_summary(period: DateRange) -> AdSummary:
    """Spend per platform, conversion value and settling days over `period`."""
    return PeriodSums(period).ad_summary()


def spend_by_day(period: DateRange) -> dict[date, int]:
    """Ad spend in micros per account-local day, every day present."""
    return PeriodSums(period).spend_by_day()


def new_customers(period: DateRange) -> NewCustomers:
    """Customers whose first counted order ever falls in `period`, and those orders' revenue."""
    return PeriodSums(period).new_customers()


# ---- contribution margin -------------------------------------------------------------------
# Read from the rollups: revenue and label costs per day (SalesDay), units, line revenue and
# label shares per SKU and day (SkuDay). COGS apply the catalog's costs as they are now.


@dataclass(frozen=True)
class MarginDay:
    """One day's contribution margin terms, in minor units (spend converted from micros)."""

    day: date
    revenue: int
    cogs: int
    labels: int
    spend: int

    @property
    def margin(self) -> int:
        return self.revenue - self.cogs - self.labels - self.spend


@dataclass
class MarginProduct:
    """One product's contribution margin terms over the period, in minor units."""

    product: str
    units: int = 0
    revenue: int = 0
    cogs: int = 0
    labels: float = 0.0
    spend: float = 0.0

    @property
    def margin(self) -> int:
        return round(self.revenue - self.cogs - self.labels - self.spend)


@dataclass(frozen=True)
class Margins:
    by_day: list[MarginDay]
    by_product: list[MarginProduct]
    unmatched_skus: int  # units sold under SKUs the catalog does not know (no COGS)

    @property
    def total(self) -> MarginDay:
        return MarginDay(
            self.by_day[0].day if self.by_day else date.min,
            *(
                sum(getattr(d, f) for d in self.by_day)
                for f in ("revenue", "cogs", "labels", "spend")
            ),
        )


def margins(
    period: DateRange,
    sums: PeriodSums | None = None,
    *,
    by_product: bool = True,
    catalog: dict[str, "SkuCost"] | None = None,
) -> Margins:
    """Contribution margin per day, and per product unless `by_product` is False.

    `catalog` is catalog_costs() when the caller has read it already.
    """
    sums = sums or PeriodSums(period)
    catalog = catalog if catalog is not None else catalog_costs()
    by_day = _margin_days(sums, catalog)
    if not by_product:
        return Margins(by_day, [], 0)
    products, unmatched = _margin_products(sums.sku_totals, catalog)
    _spread_spend(sums.campaign_spend, products)
    ranked = sorted(products.values(), key=lambda p: p.margin, reverse=True)
    return Margins(by_day, ranked, unmatched)


@dataclass(frozen=True)
class SkuCost:
    product: str
    unit_cost: int


def catalog_costs() -> dict[str, SkuCost]:
    """The catalog's COGS per SKU (the variant's own, else its product's), minor units."""
    rows = ProductVariant.objects.values_list(
        "sku", "product__name", Coalesce("unit_cost", "product__unit_cost")
    )
    return {sku: SkuCost(name, int(cost)) for sku, name, cost in rows}


def _margin_days(sums: PeriodSums, catalog: dict[str, "SkuCost"]) -> list[MarginDay]:
    labels = {day.day: day.label_cost for day in sums.sales}
    cogs: dict[date, int] = defaultdict(int)
    for day, units_by_sku in sums.sku_units.items():
        for sku, units in units_by_sku.items():
            known = catalog.get(sku)
            if known is not None:
                cogs[day] += known.unit_cost * units
    spend = sums.spend_by_day()
    return [
        MarginDay(day, revenue, cogs.get(day) or 0, labels.get(day, 0),
                  _micros_to_minor(spend[day]))
        for day, revenue in sums.revenue_by_day().items()
    ]  # fmt: skip


def _margin_products(
    skus: list[tuple[str, int, int, float]], catalog: dict[str, SkuCost]
) -> tuple[dict[str, MarginProduct], int]:
    """Per product: line revenue, COGS, and each order's label cost shared by line revenue."""
    products: dict[str, MarginProduct] = {}
    unmatched = 0
    for sku, units, revenue, labels in skus:
        known = catalog.get(sku)
        if known is None:
            unmatched += units
            continue
        product = products.setdefault(known.product, MarginProduct(known.product))
        product.units += units
        product.revenue += revenue
        product.cogs += known.unit_cost * units
        product.labels += labels
    return products, unmatched


def _spread_spend(spend: dict[int, int], products: dict[str, MarginProduct]) -> None:
    """Charge each campaign's spend to the products it advertises, split evenly among them."""
    advertised: dict[int, list[str]] = defaultdict(list)
    for campaign_id, name in ProductCampaign.objects.values_list("campaign_id", "product__name"):
        advertised[campaign_id].append(name)
    for campaign_id, names in advertised.items():
        for name in names:
            product = products.setdefault(name, MarginProduct(name))
            product.spend += _micros_to_minor(spend.get(campaign_id) or 0) / len(names)


def _micros_to_minor(micros: int) -> int:
    return round(micros / 10_000)


def label_cost_by_order(period: DateRange) -> dict[int, int]:
    """The cost of valid labels per counted order of `period` (order pk → minor units)."""
    return label_costs(orders_in(period))
