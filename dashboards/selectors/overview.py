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

from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import Coalesce

from catalog.models import ProductCampaign
from catalog.selectors import cogs_by_sku, product_by_sku
from dashboards.models import OrderFact
from dashboards.ranges import DateRange
from dashboards.rollups.labels import label_costs
from dashboards.selectors.sales import orders_in, sales_days, sku_days
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


def ad_summary(period: DateRange) -> AdSummary:
    """Spend per platform, conversion value and settling days over `period`."""
    days = CampaignDay.objects.filter(day__gte=period.start, day__lte=period.end)
    rows = days.values("campaign__platform").annotate(
        spend=Sum("spend_micros"), value=Sum("conversion_value_micros")
    )
    settling = days.filter(settling=True).aggregate(n=Count("day", distinct=True), first=Min("day"))
    return AdSummary(
        spend_by_platform={row["campaign__platform"]: row["spend"] or 0 for row in rows},
        conversion_value_micros=sum(row["value"] or 0 for row in rows),
        settling_days=settling["n"],
        first_settling_day=settling["first"],
    )


def spend_by_day(period: DateRange) -> dict[date, int]:
    """Ad spend in micros per account-local day, every day present."""
    rows = (
        CampaignDay.objects.filter(day__gte=period.start, day__lte=period.end)
        .values("day")
        .annotate(spend=Sum("spend_micros"))
    )
    found = {row["day"]: row["spend"] or 0 for row in rows}
    return {day: found.get(day, 0) for day in period.each_day()}


@dataclass(frozen=True)
class NewCustomers:
    customers: int
    revenue_minor: int


def new_customers(period: DateRange) -> NewCustomers:
    """Customers whose first counted order ever falls in `period`, and those orders' revenue."""
    # A customer's first order is its earliest counted one (ties: the lower pk), as
    # dashboards.rollups counts it into SalesDay.
    totals = sales_days(period).aggregate(
        customers=Sum("new_customers", default=0), revenue=Sum("new_customer_revenue", default=0)
    )
    return NewCustomers(totals["customers"], totals["revenue"])


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


def margins(period: DateRange) -> Margins:
    """Contribution margin per day and per product over `period`."""
    catalog = catalog_costs()
    by_day = _margin_days(period)
    products, unmatched = _margin_products(period, catalog)
    _spread_spend(period, products)
    ranked = sorted(products.values(), key=lambda p: p.margin, reverse=True)
    return Margins(by_day, ranked, unmatched)


@dataclass(frozen=True)
class SkuCost:
    product: str
    unit_cost: int


def catalog_costs() -> dict[str, SkuCost]:
    """The catalog's COGS per SKU (the variant's own, else its product's), minor units."""
    products = product_by_sku()
    return {
        sku: SkuCost(products[sku][1], cost) for sku, (cost, _currency) in cogs_by_sku().items()
    }


def _margin_days(period: DateRange) -> list[MarginDay]:
    sales = {
        day: (gross - refunded, labels)
        for day, gross, refunded, labels in sales_days(period).values_list(
            "day", "gross", "refunded", "label_cost"
        )
    }
    cogs = dict(
        sku_days(period)
        .values_list("day")
        .annotate(
            cogs=Sum(F("units") * Coalesce("variant__unit_cost", "variant__product__unit_cost"))
        )
        .order_by()
    )
    spend = spend_by_day(period)
    found = []
    for day in period.each_day():
        revenue, labels = sales.get(day, (0, 0))
        found.append(
            MarginDay(day, revenue, cogs.get(day) or 0, labels, _micros_to_minor(spend[day]))
        )
    return found


def _margin_products(
    period: DateRange, catalog: dict[str, SkuCost]
) -> tuple[dict[str, MarginProduct], int]:
    """Per product: line revenue, COGS, and each order's label cost shared by line revenue."""
    rows = (
        sku_days(period)
        .values_list("sku")
        .annotate(units=Sum("units"), revenue=Sum("revenue"), labels=Sum("label_share"))
        .order_by("sku")
    )
    products: dict[str, MarginProduct] = {}
    unmatched = 0
    for sku, units, revenue, labels in rows:
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


def _spread_spend(period: DateRange, products: dict[str, MarginProduct]) -> None:
    """Charge each campaign's spend to the products it advertises, split evenly among them."""
    spend = dict(
        CampaignDay.objects.filter(day__gte=period.start, day__lte=period.end)
        .values_list("campaign_id")
        .annotate(total=Sum("spend_micros"))
    )
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
