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
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Sum

from catalog.models import ProductCampaign
from catalog.selectors import cogs_by_sku, product_by_sku
from dashboards.ranges import DateRange
from dashboards.selectors.sales import brand_day_bounds, counted_orders, orders_in, revenue_by_day
from integrations.models import CampaignDay, Label, OrderLine, ShippoOrder
from integrations.models.search import SearchQueryPageDay
from integrations.order_numbers import order_number_normalise


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
    earlier = (
        counted_orders()
        .filter(email_hash=OuterRef("email_hash"))
        .filter(
            Q(created_on__lt=OuterRef("created_on"))
            | Q(created_on=OuterRef("created_on"), pk__lt=OuterRef("pk"))
        )
    )
    firsts = orders_in(period).exclude(email_hash="").filter(~Exists(earlier))
    totals = firsts.aggregate(
        customers=Count("email_hash", distinct=True),
        gross=Sum("grand_total"),
        refunded=Sum("refunded_total"),
    )
    revenue = (totals["gross"] or 0) - (totals["refunded"] or 0)
    return NewCustomers(totals["customers"], revenue)


@dataclass(frozen=True)
class RepeatCustomers:
    customers: int
    repeat: int

    @property
    def rate(self) -> float | None:
        return self.repeat / self.customers if self.customers else None


def repeat_customers(period: DateRange) -> RepeatCustomers:
    """Customers with an order in `period`, and how many of them have 2+ counted orders ever."""
    other = counted_orders().filter(email_hash=OuterRef("email_hash")).exclude(pk=OuterRef("pk"))
    totals = (
        orders_in(period)
        .exclude(email_hash="")
        .aggregate(
            customers=Count("email_hash", distinct=True),
            repeat=Count("email_hash", distinct=True, filter=Exists(other)),
        )
    )
    return RepeatCustomers(totals["customers"], totals["repeat"])


def organic_clicks(period: DateRange) -> tuple[int, int]:
    """Search Console clicks over `period`, and how many of its days are still fresh."""
    # The daily query x page rollup, not the raw rows: a tenth of the size at the same totals.
    days = SearchQueryPageDay.objects.filter(day__gte=period.start, day__lte=period.end)
    totals = days.aggregate(
        clicks=Sum("clicks"), fresh=Count("day", distinct=True, filter=Q(fresh=True))
    )
    return totals["clicks"] or 0, totals["fresh"]


# ---- contribution margin -------------------------------------------------------------------
# Label costs link to orders by order number: reconciliation's label links when it has run,
# otherwise the number each label names (its Shippo order's, then its metadata). Labels are
# looked for from a little before the period to a while after it: orders ship after they sell.
LABEL_LOOKBEHIND = timedelta(days=2)
LABEL_LOOKAHEAD = timedelta(days=21)


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


@dataclass(frozen=True)
class _Line:
    order_id: int
    sku: str
    quantity: int
    amount: int


def margins(period: DateRange) -> Margins:
    """Contribution margin per day and per product over `period`."""
    catalog = catalog_costs()
    orders = dict(orders_in(period).values_list("pk", "created_on"))
    lines = [
        _Line(*row)
        for row in OrderLine.objects.filter(order__in=orders_in(period))
        .annotate(amount=F("quantity") * F("unit_price"))
        .values_list("order_id", "sku", "quantity", "amount")
    ]
    labels = label_cost_by_order(period)
    by_day = _margin_days(period, orders, lines, labels, catalog)
    products, unmatched = _margin_products(lines, labels, catalog)
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


def _margin_days(
    period: DateRange,
    orders: dict[int, datetime],
    lines: list[_Line],
    labels: dict[int, int],
    catalog: dict[str, SkuCost],
) -> list[MarginDay]:
    zone = ZoneInfo(settings.FLUX_BRAND_TIME_ZONE)
    day_of = {pk: created.astimezone(zone).date() for pk, created in orders.items()}
    cogs: dict[date, int] = defaultdict(int)
    shipping: dict[date, int] = defaultdict(int)
    for line in lines:
        known = catalog.get(line.sku)
        cogs[day_of[line.order_id]] += known.unit_cost * line.quantity if known else 0
    for order_id, cost in labels.items():
        shipping[day_of[order_id]] += cost
    revenue, spend = revenue_by_day(period), spend_by_day(period)
    return [
        MarginDay(day, revenue[day], cogs[day], shipping[day], _micros_to_minor(spend[day]))
        for day in period.each_day()
    ]


def _margin_products(
    lines: list[_Line], labels: dict[int, int], catalog: dict[str, SkuCost]
) -> tuple[dict[str, MarginProduct], int]:
    """Per product: line revenue, COGS, and each order's label cost shared by line revenue."""
    order_amount: dict[int, int] = defaultdict(int)
    for line in lines:
        order_amount[line.order_id] += line.amount
    products: dict[str, MarginProduct] = {}
    unmatched = 0
    for line in lines:
        known = catalog.get(line.sku)
        if known is None:
            unmatched += line.quantity
            continue
        product = products.setdefault(known.product, MarginProduct(known.product))
        product.units += line.quantity
        product.revenue += line.amount
        product.cogs += known.unit_cost * line.quantity
        share = line.amount / order_amount[line.order_id] if order_amount[line.order_id] else 0
        product.labels += labels.get(line.order_id, 0) * share
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
    linked = _label_cost_from_reconciliation(period)
    return linked if linked is not None else _label_cost_by_number(period)


def _label_cost_from_reconciliation(period: DateRange) -> dict[int, int] | None:
    try:
        from reconciliation.models import LabelLink
    except ImportError:  # reconciliation has not landed: link by order number instead
        return None
    if not LabelLink.objects.exists():
        return None
    rows = (
        LabelLink.objects.filter(
            order__in=orders_in(period), label__object_state="VALID", label__status="SUCCESS"
        )
        .values_list("order_id")
        .annotate(cost=Sum("label__label_cost"))
    )
    return {order_id: cost or 0 for order_id, cost in rows}


def _label_cost_by_number(period: DateRange) -> dict[int, int]:
    numbers = {
        order_number_normalise(number): pk
        for pk, number in orders_in(period).values_list("pk", "order_number")
    }
    start, end = brand_day_bounds(period)
    labels = list(
        Label.objects.valid()
        .filter(
            object_created__gte=start - LABEL_LOOKBEHIND, object_created__lt=end + LABEL_LOOKAHEAD
        )
        .values_list("label_cost", "shippo_order_object_id", "metadata")
    )
    shippo_ids = {shippo_id for _cost, shippo_id, _metadata in labels if shippo_id}
    shippo_numbers = dict(
        ShippoOrder.objects.filter(object_id__in=shippo_ids).values_list(
            "object_id", "order_number"
        )
    )
    costs: dict[int, int] = defaultdict(int)
    for cost, shippo_id, metadata in labels:
        shippo = shippo_numbers.get(shippo_id, "")
        number = order_number_normalise(shippo) or order_number_normalise(metadata)
        order_id = numbers.get(number)
        if order_id is not None:
            costs[order_id] += cost or 0
    return dict(costs)
