"""Read the catalog for other pages: costs by SKU, products by campaign, campaigns by product."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import F
from django.db.models.functions import Coalesce

from catalog.models import Product, ProductCampaign, ProductPage, ProductVariant
from integrations.models import Campaign


def cogs_by_sku() -> dict[str, tuple[int, str]]:
    """Return each SKU's unit cost in minor units with its currency (archived products too)."""
    rows = ProductVariant.objects.annotate(
        cost=Coalesce("unit_cost", F("product__unit_cost")), currency=F("product__currency")
    ).values_list("sku", "cost", "currency")
    return {sku: (int(cost), currency) for sku, cost, currency in rows}


def product_by_sku() -> dict[str, tuple[int, str]]:
    """Return each SKU's product as (product id, product name)."""
    rows = ProductVariant.objects.values_list("sku", "product_id", "product__name")
    return {sku: (product_id, name) for sku, product_id, name in rows}


def products_for_campaigns(campaign_ids: Iterable[int]) -> dict[int, list[Product]]:
    """Return, for each campaign id, the products it advertises."""
    links = ProductCampaign.objects.filter(campaign_id__in=list(campaign_ids)).select_related(
        "product"
    )
    found: dict[int, list[Product]] = defaultdict(list)
    for link in links:
        found[link.campaign_id].append(link.product)
    return dict(found)


def campaigns_for_product(product: Product) -> list[Campaign]:
    """Return the campaigns that advertise `product`, by name."""
    return list(
        Campaign.objects.filter(product_links__product=product)
        .select_related("ad_account")
        .order_by("name")
    )


def campaign_ids_by_product() -> dict[int, list[int]]:
    """Return, for each product id, the ids of the campaigns advertising it."""
    found: dict[int, list[int]] = defaultdict(list)
    for product_id, campaign_id in ProductCampaign.objects.values_list("product_id", "campaign_id"):
        found[product_id].append(campaign_id)
    return dict(found)


def product_for_page_urls() -> dict[str, int]:
    """Return the product id selling each page URL."""
    return dict(ProductPage.objects.values_list("url", "product_id"))


def keywords_by_product() -> dict[int, list[str]]:
    """Return each active product's target keywords."""
    return dict(Product.objects.active().values_list("id", "keywords"))
