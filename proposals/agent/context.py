"""What the agent tells Claude: aggregates and the catalog, nothing about any one customer.

Each section is plain JSON built from sums (never a raw order, label or shipment row):
campaign performance over 7, 28 and 90 days, search queries within reach of page one,
sales and stock per catalog product, and the guardrails. Free text the platforms gave us
(campaign names, search queries) and the catalog's descriptions are data; prompt.py wraps
them so they are never read as instructions. Search queries come from strangers, so one that
looks personal is dropped here rather than refusing the whole run.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, FloatField, Max, Q, Sum
from django.utils import timezone

from catalog.models import Product, ProductCampaign, ProductPage, ProductVariant
from integrations.google_ads.money import micros_to_minor
from integrations.models import Campaign, CampaignDay, InventoryLevel, OrderLine, SearchDay
from proposals.agent.guard import PersonalDataGuard
from proposals.models import Guardrails

JSON = dict[str, Any]
WINDOWS = (7, 28, 90)
SEARCH_WINDOW_DAYS = 28
SALES_WINDOW_DAYS = 28
STRIKING_POSITIONS = (8.0, 20.0)
MIN_SEARCH_IMPRESSIONS = 50
MAX_OPPORTUNITIES = 15
SEARCH_ROWS_SCANNED = 500


@dataclass(frozen=True)
class AgentContext:
    """The sections of the prompt's data, by name, in the order they are sent."""

    sections: dict[str, Any]


def context_build(*, guard: PersonalDataGuard, today: date | None = None) -> AgentContext:
    """Build every section from aggregate queries and the catalog."""
    today = today or timezone.now().date()
    rails = Guardrails.current()
    return AgentContext(
        {
            "today": {"date": today.isoformat()},
            "guardrails": guardrails_section(rails),
            "campaigns": campaigns_section(today),
            "products": products_section(today, rails),
            "search_opportunities": search_section(today, guard),
        }
    )


def guardrails_section(rails: Guardrails) -> JSON:
    """Return the limits every proposal is checked against."""
    return {
        "max_change_pct_per_action": rails.max_change_pct_per_action,
        "max_change_pct_per_day": rails.max_change_pct_per_day,
        "min_daily_budget_minor": rails.min_daily_budget_minor,
        "max_daily_budget_minor": rails.max_daily_budget_minor,
        "cooldown_hours": rails.cooldown_hours,
        "min_data_days": rails.min_data_days,
        "min_data_clicks": rails.min_data_clicks,
        "low_stock_units": rails.low_stock_units,
        "protected_campaign_ids": sorted(rails.protected_campaigns.values_list("pk", flat=True)),
    }


def campaigns_section(today: date) -> list[JSON]:
    """Return every live campaign with its figures over each window ending yesterday."""
    campaigns = list(Campaign.objects.exclude(status="REMOVED").order_by("pk"))
    end = _last_metric_day(today)
    windows = {days: _campaign_sums(end, days) for days in WINDOWS}
    products = _campaign_products()
    return [_campaign_json(c, windows, products.get(c.pk, []), end) for c in campaigns]


def _last_metric_day(today: date) -> date:
    """Return yesterday, or the last day with metrics when the data stops earlier."""
    latest = CampaignDay.objects.filter(day__lt=today).aggregate(d=Max("day"))["d"]
    return latest or today - timedelta(days=1)


def _campaign_sums(end: date, days: int) -> dict[int, JSON]:
    start = end - timedelta(days=days - 1)
    rows = (
        CampaignDay.objects.filter(day__gte=start, day__lte=end)
        .values("campaign_id")
        .annotate(
            impressions=Sum("impressions"), clicks=Sum("clicks"), spend=Sum("spend_micros"),
            conversions=Sum("conversions"), value=Sum("conversion_value_micros"),
        )
        .order_by()
    )  # fmt: skip
    return {row["campaign_id"]: row for row in rows}


def _campaign_products() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for campaign_id, product_id in ProductCampaign.objects.values_list("campaign_id", "product_id"):
        found.setdefault(campaign_id, []).append(product_id)
    return found


def _campaign_json(
    campaign: Campaign, windows: dict[int, dict[int, JSON]], products: list[int], end: date
) -> JSON:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "platform": campaign.platform,
        "status": campaign.status,
        "currency": campaign.currency,
        "daily_budget_minor": campaign.daily_budget,
        "product_ids": sorted(products),
        "windows_end": end.isoformat(),
        "windows": {str(d): _window_json(windows[d].get(campaign.pk), campaign.currency)
                    for d in WINDOWS},
    }  # fmt: skip


def _window_json(row: JSON | None, currency: str) -> JSON:
    row = row or {}
    spend = micros_to_minor(int(row.get("spend") or 0), currency)
    value = micros_to_minor(int(row.get("value") or 0), currency)
    conversions = Decimal(row.get("conversions") or 0)
    return {
        "impressions": int(row.get("impressions") or 0),
        "clicks": int(row.get("clicks") or 0),
        "spend_minor": spend,
        "conversions": float(round(conversions, 2)),
        "conversion_value_minor": value,
        "roas": round(value / spend, 2) if spend else None,
        "cpa_minor": int(spend / conversions) if conversions else None,
    }


def products_section(today: date, rails: Guardrails) -> list[JSON]:
    """Return each active catalog product with its 28-day sales and its stock."""
    products = list(Product.objects.active().order_by("pk"))
    sales = _sales_by_product(today)
    stock = _stock_by_product(rails.low_stock_units)
    return [_product_json(p, sales.get(p.pk, (0, 0)), stock.get(p.pk)) for p in products]


def _sales_by_product(today: date) -> dict[int, tuple[int, int]]:
    """Return units and line revenue per product over the sales window (test orders left out)."""
    since = timezone.make_aware(datetime.combine(today - timedelta(days=SALES_WINDOW_DAYS), time()))
    skus = dict(ProductVariant.objects.values_list("sku", "product_id"))
    rows = (
        OrderLine.objects.filter(order__testmode=False, order__created_on__gte=since, sku__in=skus)
        .exclude(order__fulfillment_status="CANCELED")
        .values("sku")
        .annotate(units=Sum("quantity"), revenue=Sum(F("quantity") * F("unit_price")))
        .order_by()
    )
    found: dict[int, tuple[int, int]] = {}
    for row in rows:
        units, revenue = found.get(skus[row["sku"]], (0, 0))
        found[skus[row["sku"]]] = (
            units + int(row["units"] or 0),
            revenue + int(row["revenue"] or 0),
        )
    return found


@dataclass(frozen=True)
class Stock:
    units: int
    unlimited: bool
    low: bool


def _stock_by_product(low_units: int) -> dict[int, Stock]:
    skus = dict(ProductVariant.objects.values_list("sku", "product_id"))
    rows = (
        InventoryLevel.objects.filter(sku__in=skus)
        .values("sku")
        .annotate(units=Sum("quantity", filter=Q(is_unlimited=False)),
                  unlimited=Count("pk", filter=Q(is_unlimited=True)),
                  lowest=Sum("quantity", filter=Q(is_unlimited=False, quantity__lte=low_units)))
        .order_by()
    )  # fmt: skip
    found: dict[int, Stock] = {}
    for row in rows:
        before = found.get(skus[row["sku"]], Stock(0, False, False))
        low = row["lowest"] is not None
        found[skus[row["sku"]]] = Stock(
            before.units + int(row["units"] or 0), before.unlimited or bool(row["unlimited"]),
            before.low or low,
        )  # fmt: skip
    return found


def _product_json(product: Product, sales: tuple[int, int], stock: Stock | None) -> JSON:
    return {
        "id": product.pk,
        "name": product.name,
        "description": product.description,
        "keywords": list(product.keywords),
        "price_minor": product.price,
        "currency": product.currency,
        "units_28d": sales[0],
        "revenue_28d_minor": sales[1],
        "stock_units": stock.units if stock else None,
        "stock_unlimited": stock.unlimited if stock else None,
        "stock_low": stock.low if stock else None,
    }


def search_section(today: date, guard: PersonalDataGuard) -> list[JSON]:
    """Return the queries ranking just off page one with real demand, most impressions first."""
    end = SearchDay.objects.filter(day__lt=today).aggregate(d=Max("day"))["d"]
    if end is None:
        return []
    start = end - timedelta(days=SEARCH_WINDOW_DAYS - 1)
    weighted = Sum(F("position") * F("impressions"), output_field=FloatField())
    rows = (
        SearchDay.objects.filter(day__gte=start, day__lte=end)
        .values("query", "page")
        .annotate(
            total_clicks=Sum("clicks"), total_impressions=Sum("impressions"), weighted=weighted
        )
        .filter(total_impressions__gte=MIN_SEARCH_IMPRESSIONS)
        .order_by("-total_impressions", "query", "page")[:SEARCH_ROWS_SCANNED]
    )
    pages = dict(ProductPage.objects.values_list("url", "product_id"))
    found = [_opportunity(row, pages) for row in rows if _striking(row) and _clean(row, guard)]
    return found[:MAX_OPPORTUNITIES]


def _striking(row: JSON) -> bool:
    position = float(row["weighted"] or 0) / max(1, int(row["total_impressions"]))
    return STRIKING_POSITIONS[0] <= position <= STRIKING_POSITIONS[1]


def _clean(row: JSON, guard: PersonalDataGuard) -> bool:
    return guard.is_clean(f"{row['query']}\n{row['page']}")


def _opportunity(row: JSON, pages: dict[str, int]) -> JSON:
    impressions = int(row["total_impressions"])
    return {
        "query": row["query"],
        "page": row["page"],
        "product_id": pages.get(row["page"]),
        "impressions": impressions,
        "clicks": int(row["total_clicks"] or 0),
        "position": round(float(row["weighted"] or 0) / max(1, impressions), 1),
    }
