"""The demo catalog matches the sandbox store, and any store's synced SKUs get a product."""

from datetime import UTC, datetime

import pytest

from catalog.models import Product, ProductCampaign, ProductPage, ProductVariant
from catalog.seeding import catalog_demo_seed, catalog_sync_from_inventory
from catalog.selectors import cogs_by_sku
from flux.audit.models import AuditEvent
from integrations.models import Connection, InventoryLevel
from sandbox.brand.brand import Brand
from sandbox.brand.catalog import catalog_build
from sandbox.brand.google_ads import GoogleAdsBrand
from sandbox.brand.meta import MetaBrand
from tests.catalog.factories import campaign_make

pytestmark = pytest.mark.django_db


def test_the_demo_catalog_has_every_sandbox_product_sku_and_cost():
    brand = catalog_build(seed=1)
    catalog_demo_seed(seed=1)
    assert Product.objects.count() == len(brand.products)
    assert ProductVariant.objects.count() == len(brand.variants)
    costs = cogs_by_sku()
    assert all(costs[v.sku] == (v.unit_cost, "USD") for v in brand.variants)
    cradle = Product.objects.get(slug=brand.products[0].slug)
    assert cradle.keywords == list(brand.products[0].keywords)
    assert ProductPage.objects.filter(product=cradle, url__contains="/shop/p/").exists()


def test_seeding_twice_changes_nothing():
    catalog_demo_seed(seed=1)
    again = catalog_demo_seed(seed=1)
    assert (again.products, again.variants, again.pages, again.campaign_links) == (0, 0, 0, 0)


def test_synced_sandbox_campaigns_are_linked_to_the_product_they_advertise():
    meta = MetaBrand(seed=1, scale="demo", anchor=datetime.now(UTC)).campaigns[0]
    google = GoogleAdsBrand(seed=1, scale="demo", anchor=datetime.now(UTC).date()).campaigns[0]
    campaign_make("m", platform="meta", external_id=meta.campaign_id)
    campaign_make("g", platform="google_ads", external_id=str(google.id))
    campaign_make("someone else's", platform="meta", external_id="999")
    summary = catalog_demo_seed(seed=1)
    assert summary.campaign_links == 2
    linked = {(link.campaign.name, link.product.slug) for link in ProductCampaign.objects.all()}
    assert linked == {("m", meta.product.slug), ("g", google.product_slug)}
    assert AuditEvent.objects.filter(action="catalog.campaigns_link").count() == 1


def test_unknown_synced_skus_become_products_priced_from_inventory():
    connection = Connection.objects.create(
        provider="squarespace", external_account_id="s", display_name="Store"
    )
    InventoryLevel.objects.create(
        connection=connection, variant_id="v1", sku="NEW-1", descriptor="Brass Gear - Large"
    )
    InventoryLevel.objects.create(
        connection=connection, variant_id="v2", sku="NEW-2", descriptor="Brass Gear - Small"
    )
    summary = catalog_sync_from_inventory(actor="test")
    gear = Product.objects.get()
    assert (summary.products, summary.variants) == (1, 2)
    assert (gear.name, gear.slug, gear.unit_cost) == ("Brass Gear", "brass-gear", 0)
    assert catalog_sync_from_inventory(actor="test").variants == 0


def test_demo_products_use_the_image_url_the_store_puts_on_their_order_lines():
    catalog_demo_seed(seed=1)
    orders = Brand(seed=1, scale="demo", orders=30).orders_page(limit=30).orders
    lines = [line for order in orders for line in order["lineItems"]]
    assert lines
    for line in lines:
        product = Product.objects.get(variants__sku=line["sku"])
        assert product.image_url == line["imageUrl"]
        assert product.image_url.startswith("https://images.squarespace-cdn.com/")
