"""Small builders for catalog tests: products, SKUs and ad campaigns."""

from typing import Any

from catalog.models import Product, ProductVariant
from integrations.models import AdAccount, Campaign, Connection


def product_make(name: str = "Gear Clock", **fields: Any) -> Product:
    """Create a product with sensible defaults."""
    slug = name.lower().replace(" ", "-")
    values: dict[str, Any] = {"slug": slug, "price": 8999, "unit_cost": 3000, **fields}
    return Product.objects.create(name=name, **values)


def variant_make(product: Product, sku: str, **fields: Any) -> ProductVariant:
    """Create a SKU of `product`."""
    return ProductVariant.objects.create(product=product, sku=sku, **fields)


def campaign_make(name: str, *, platform: str = "meta", **fields: Any) -> Campaign:
    """Create a campaign on a fresh ad account."""
    connection, _ = Connection.objects.get_or_create(
        provider=platform, external_account_id=f"{platform}-acct", defaults={"display_name": "x"}
    )
    account, _ = AdAccount.objects.get_or_create(
        connection=connection,
        platform=platform,
        external_id=f"{platform}-acct",
        defaults={"name": "Flux", "currency": "USD", "time_zone": "America/New_York"},
    )
    values: dict[str, Any] = {"status": "ACTIVE", "currency": "USD", **fields}
    external_id = values.pop("external_id", name)
    return Campaign.objects.create(
        ad_account=account, platform=platform, external_id=external_id, name=name, **values
    )
