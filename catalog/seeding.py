"""Fill the catalog: from what the store's inventory sync saw, and from the sandbox brand.

`catalog_sync_from_inventory` works with any store: it adds a product for every synced SKU the
catalog does not cover yet (costs left at zero for staff to fill in). `catalog_demo_seed` is what
the demo uses: the sandbox brand's own catalog, with costs, keywords, image URLs, the pages that
sell each product and the Meta and Google Ads campaigns that advertise it, linked once synced.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils.text import slugify

from catalog.models import Product, ProductCampaign, ProductPage, ProductVariant
from flux.audit.actions import Actor, audit_record
from integrations.models import AdPlatform, Campaign, InventoryLevel, OrderLine
from sandbox.brand import catalog as brand_catalog
from sandbox.brand.google_ads import GoogleAdsBrand
from sandbox.brand.meta import MetaBrand
from sandbox.brand.search import SITE

AUDIENCES = {
    "desk-gadgets": "Engineers and physics fans buying a desk piece or a gift for one.",
    "tools": "Makers, hobby machinists and electronics tinkerers who want precise tools.",
    "apparel": "Engineers and students who like a joke only their colleagues get.",
    "prints": "Engineers decorating an office or workshop; gift buyers for graduates.",
    "kits": "Parents, teachers and adult hobbyists looking for a STEM build.",
    "digital": "Makers with a 3D printer or laser cutter; engineers who want references.",
}
DEMO_SEED = 1  # the sandbox's default seed (`manage.py sandbox --seed`)
DEMO_ACTOR = "seed_demo"


@dataclass
class SeedSummary:
    """What a seeding run created or linked."""

    products: int = 0
    variants: int = 0
    pages: int = 0
    campaign_links: int = 0

    def __str__(self) -> str:
        return (
            f"{self.products} products, {self.variants} SKUs, {self.pages} pages, "
            f"{self.campaign_links} campaign links"
        )


def catalog_sync_from_inventory(*, actor: Actor) -> SeedSummary:
    """Add a product for each synced SKU no product covers yet, priced from its order lines."""
    summary = SeedSummary()
    known = set(ProductVariant.objects.values_list("sku", flat=True))
    levels = InventoryLevel.objects.exclude(sku="").exclude(sku__in=known).order_by("sku")
    for level in levels:
        name = level.descriptor.split(" - ")[0].strip() or level.sku
        product, created = _product_for_name(name, price=_last_price(level.sku))
        ProductVariant.objects.create(product=product, sku=level.sku, variant_id=level.variant_id)
        summary.products += created
        summary.variants += 1
        if created:
            audit_record(actor=actor, action="catalog.product_create", target=product,
                         after={"name": name, "source": "inventory"})  # fmt: skip
    return summary


def _product_for_name(name: str, *, price: int) -> tuple[Product, bool]:
    return Product.objects.get_or_create(
        name=name, defaults={"slug": _free_slug(name), "price": price, "unit_cost": 0}
    )


def _free_slug(name: str) -> str:
    base = slugify(name)[:190] or "product"
    slug, n = base, 1
    while Product.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _last_price(sku: str) -> int:
    line = OrderLine.objects.filter(sku=sku).order_by("-order__created_on").first()
    return line.unit_price if line else 0


def catalog_demo_seed(
    *, seed: int = DEMO_SEED, report: Callable[[str], None] | None = None
) -> SeedSummary:
    """Create the sandbox brand's catalog and link the synced campaigns that advertise it."""
    brand = brand_catalog.catalog_build(seed=seed)
    with transaction.atomic():
        summary = catalog_from_sandbox_brand(brand, actor=DEMO_ACTOR)
        summary.campaign_links = campaigns_link(_brand_campaigns(brand, seed), actor=DEMO_ACTOR)
    if report is not None:
        report(f"Catalog: {summary}")
    return summary


def catalog_from_sandbox_brand(brand: brand_catalog.Catalog, *, actor: Actor) -> SeedSummary:
    """Create or refresh one product per brand product, with its SKUs and pages."""
    summary = SeedSummary()
    for item in brand.products:
        product, created = Product.objects.update_or_create(
            slug=item.slug, defaults=_product_fields(item)
        )
        summary.products += created
        summary.variants += _variants_store(product, item.variants)
        summary.pages += _pages_store(product, _brand_pages(item))
        if created:
            audit_record(actor=actor, action="catalog.product_create", target=product,
                         after={"name": product.name, "source": "sandbox"})  # fmt: skip
    return summary


def _product_fields(item: brand_catalog.Product) -> dict[str, object]:
    first = item.variants[0]
    return {
        "name": item.name,
        "description": item.description,
        "keywords": list(item.keywords),
        "price": first.price,
        "currency": "USD",
        "unit_cost": first.unit_cost,
        "target_audience": AUDIENCES.get(item.category, ""),
        # The store's CDN image, the same URL its orders' line items carry as imageUrl.
        "image_url": item.image_url,
    }


def _variants_store(product: Product, variants: Iterable[brand_catalog.Variant]) -> int:
    created = 0
    for v in variants:
        _, new = ProductVariant.objects.update_or_create(
            sku=v.sku,
            defaults={"product": product, "variant_id": v.variant_id,
                      "option": v.option_value or "", "price": v.price,
                      "unit_cost": v.unit_cost},
        )  # fmt: skip
        created += new
    return created


def _brand_pages(item: brand_catalog.Product) -> list[str]:
    # The same URLs the sandbox's Search Console reports for the product.
    return [f"{SITE}/shop/p/{item.slug}", f"{SITE}/blog/how-{item.slug}-works"]


def _pages_store(product: Product, urls: Iterable[str]) -> int:
    return sum(ProductPage.objects.get_or_create(product=product, url=url)[1] for url in urls)


def _brand_campaigns(brand: brand_catalog.Catalog, seed: int) -> dict[tuple[str, str], str]:
    """Return the product slug each sandbox campaign advertises, keyed by (platform, id)."""
    found: dict[tuple[str, str], str] = {}
    now = datetime.now(UTC)
    for scale in ("demo", "bench"):  # the sandbox may run at either; the ids differ by scale
        meta = MetaBrand(seed=seed, scale=scale, anchor=now, catalog=brand)
        for c in meta.campaigns:
            found[(AdPlatform.META, c.campaign_id)] = c.product.slug
        ads = GoogleAdsBrand(seed=seed, scale=scale, anchor=now.date(), catalog=brand)
        for g in ads.campaigns:
            found[(AdPlatform.GOOGLE_ADS, str(g.id))] = g.product_slug
    return found


def campaigns_link(slugs: dict[tuple[str, str], str], *, actor: Actor) -> int:
    """Link each synced campaign in `slugs` to its product by slug; return the new links."""
    products = dict(Product.objects.values_list("slug", "pk"))
    created = 0
    for campaign in Campaign.objects.only("pk", "platform", "external_id"):
        slug = slugs.get((campaign.platform, campaign.external_id))
        if slug is None or slug not in products:
            continue
        _, new = ProductCampaign.objects.get_or_create(product_id=products[slug], campaign=campaign)
        created += new
    if created:
        audit_record(actor=actor, action="catalog.campaigns_link", after={"links": created})
    return created
