"""Write the catalog: create, edit, archive and restore products, each change audited."""

from typing import Any

from django.db import transaction

from catalog.models import Product, ProductCampaign, ProductPage, ProductVariant
from flux.audit.actions import Actor, audit_record
from integrations.models import Campaign


def product_snapshot(product: Product) -> dict[str, Any]:
    """Return the product's audited state: its fields and its links."""
    return {
        "name": product.name, "slug": product.slug, "description": product.description,
        "keywords": list(product.keywords), "price": product.price,
        "currency": product.currency, "unit_cost": product.unit_cost,
        "target_audience": product.target_audience, "image_url": product.image_url,
        "status": product.status,
        "skus": sorted(product.variants.values_list("sku", flat=True)),
        "pages": sorted(product.pages.values_list("url", flat=True)),
        "campaign_ids": sorted(product.campaign_links.values_list("campaign_id", flat=True)),
    }  # fmt: skip


@transaction.atomic
def product_create(
    *, actor: Actor, fields: dict[str, Any], skus: list[str], pages: list[str],
    campaigns: list[Campaign],
) -> Product:  # fmt: skip
    """Create a product with its SKUs, pages and campaign links."""
    product = Product.objects.create(**fields)
    _links_replace(product, skus=skus, pages=pages, campaigns=campaigns)
    audit_record(actor=actor, action="catalog.product_create", target=product,
                 after=product_snapshot(product))  # fmt: skip
    return product


@transaction.atomic
def product_update(
    *, actor: Actor, product: Product, fields: dict[str, Any], skus: list[str],
    pages: list[str], campaigns: list[Campaign],
) -> Product:  # fmt: skip
    """Change a product and its links, recording before and after."""
    # From the stored row: a bound ModelForm has already set the new values on `product`.
    before = product_snapshot(Product.objects.get(pk=product.pk))
    for name, value in fields.items():
        setattr(product, name, value)
    product.save()
    _links_replace(product, skus=skus, pages=pages, campaigns=campaigns)
    after = product_snapshot(product)
    if after != before:
        audit_record(actor=actor, action="catalog.product_update", target=product,
                     before=before, after=after)  # fmt: skip
    return product


def _links_replace(
    product: Product, *, skus: list[str], pages: list[str], campaigns: list[Campaign]
) -> None:
    """Make the product's SKUs, pages and campaigns exactly the given ones."""
    _skus_replace(product, skus)
    _pages_replace(product, pages)
    _campaigns_replace(product, {c.pk for c in campaigns})


def _skus_replace(product: Product, skus: list[str]) -> None:
    product.variants.exclude(sku__in=skus).delete()
    known = set(product.variants.values_list("sku", flat=True))
    ProductVariant.objects.bulk_create(
        ProductVariant(product=product, sku=sku) for sku in skus if sku not in known
    )


def _pages_replace(product: Product, urls: list[str]) -> None:
    product.pages.exclude(url__in=urls).delete()
    known = set(product.pages.values_list("url", flat=True))
    ProductPage.objects.bulk_create(
        ProductPage(product=product, url=url) for url in urls if url not in known
    )


def _campaigns_replace(product: Product, ids: set[int]) -> None:
    product.campaign_links.exclude(campaign_id__in=ids).delete()
    linked = set(product.campaign_links.values_list("campaign_id", flat=True))
    ProductCampaign.objects.bulk_create(
        ProductCampaign(product=product, campaign_id=i) for i in sorted(ids - linked)
    )


@transaction.atomic
def product_archive(*, actor: Actor, product: Product) -> Product:
    """Archive the product; its SKUs, links and history stay."""
    if product.is_archived:
        return product
    product.archive()
    product.save(update_fields=["status", "archived_at", "updated_at"])
    audit_record(actor=actor, action="catalog.product_archive", target=product,
                 before={"status": "active"}, after={"status": "archived"})  # fmt: skip
    return product


@transaction.atomic
def product_restore(*, actor: Actor, product: Product) -> Product:
    """Put an archived product back on sale."""
    if not product.is_archived:
        return product
    product.restore()
    product.save(update_fields=["status", "archived_at", "updated_at"])
    audit_record(actor=actor, action="catalog.product_restore", target=product,
                 before={"status": "archived"}, after={"status": "active"})  # fmt: skip
    return product
