"""The local product catalog: products, the SKUs they cover, the campaigns and pages selling them.

Money is kept in minor units of the product's currency. Products are archived, never deleted,
so the history that refers to them (sales by product, audit events, proposals) stays whole.
"""

from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

from integrations.models import Campaign

# Product images are linked, never hosted: only a public web address will do.
WEB_URL = URLValidator(schemes=["http", "https"], message="Enter a full http(s) URL.")


class ProductStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class ProductQuerySet(models.QuerySet["Product"]):
    def active(self) -> "ProductQuerySet":
        """Return the products still on sale."""
        return self.filter(status=ProductStatus.ACTIVE)


class Product(models.Model):
    """One product line as the brand markets it."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    keywords = models.JSONField(default=list, blank=True)  # list[str], lower-case
    price = models.BigIntegerField()  # minor units
    currency = models.CharField(max_length=3, default="USD")
    unit_cost = models.BigIntegerField()  # COGS per unit, minor units
    target_audience = models.TextField(blank=True)
    # The store's public product image (its CDN URL); posts may use it.
    image_url = models.URLField(max_length=500, blank=True, validators=[WEB_URL])
    status = models.CharField(
        max_length=10, choices=ProductStatus.choices, default=ProductStatus.ACTIVE
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "name"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_gte_0"),
            models.CheckConstraint(
                condition=models.Q(unit_cost__gte=0), name="product_unit_cost_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        """Say whether the product is archived."""
        return self.status == ProductStatus.ARCHIVED

    def archive(self) -> None:
        """Mark the product archived now, keeping every row that refers to it."""
        self.status = ProductStatus.ARCHIVED
        self.archived_at = timezone.now()

    def restore(self) -> None:
        """Put an archived product back on sale."""
        self.status = ProductStatus.ACTIVE
        self.archived_at = None


class ProductVariant(models.Model):
    """A SKU (a Squarespace variant) the product covers; a SKU belongs to one product at most."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    variant_id = models.CharField(max_length=64, blank=True)  # the store's variant id
    option = models.CharField(max_length=100, blank=True)
    # Per-variant overrides: a larger print costs more; None means the product's own.
    price = models.BigIntegerField(null=True, blank=True)
    unit_cost = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return self.sku

    @property
    def effective_unit_cost(self) -> int:
        """Return the variant's COGS, falling back to the product's."""
        return self.product.unit_cost if self.unit_cost is None else self.unit_cost


class ProductCampaign(models.Model):
    """A campaign that advertises the product."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="campaign_links")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="product_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "campaign"], name="one_link_per_product_campaign"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} <- {self.campaign}"


class ProductPage(models.Model):
    """A page URL that sells the product (its shop page, a guide that links to it)."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="pages")
    url = models.URLField(max_length=500)

    class Meta:
        ordering = ["url"]
        constraints = [
            models.UniqueConstraint(fields=["product", "url"], name="one_row_per_product_page")
        ]

    def __str__(self) -> str:
        return self.url
