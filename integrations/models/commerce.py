"""Squarespace orders, their lines, and inventory levels with their change history.

Personal data stops at the parse boundary: an order keeps its email only as
flux.hashing.hash_email(), and its shipping address only as city, state, postal code and
country. Names, streets and phone numbers never reach these tables.
"""

from django.db import models

from integrations.models.connections import Connection


class FulfillmentStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    FULFILLED = "FULFILLED", "Fulfilled"
    CANCELED = "CANCELED", "Canceled"


class Order(models.Model):
    """One Squarespace order; money in minor units of `currency`."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="orders")
    provider_order_id = models.CharField(max_length=64)
    order_number = models.CharField(max_length=32, db_index=True)
    created_on = models.DateTimeField(db_index=True)
    modified_on = models.DateTimeField()
    fulfilled_on = models.DateTimeField(null=True, blank=True)
    fulfillment_status = models.CharField(max_length=20, choices=FulfillmentStatus.choices)
    payment_state = models.CharField(max_length=20, blank=True)
    channel = models.CharField(max_length=20, blank=True)
    testmode = models.BooleanField(default=False)
    currency = models.CharField(max_length=3)
    subtotal = models.BigIntegerField(default=0)
    shipping_total = models.BigIntegerField(default=0)
    discount_total = models.BigIntegerField(default=0)
    tax_total = models.BigIntegerField(default=0)
    refunded_total = models.BigIntegerField(default=0)
    grand_total = models.BigIntegerField(default=0)
    email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    ship_city = models.CharField(max_length=100, blank=True)
    ship_state = models.CharField(max_length=100, blank=True)
    ship_postal_code = models.CharField(max_length=20, blank=True)
    ship_country = models.CharField(max_length=2, blank=True)
    has_physical_items = models.BooleanField(default=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "provider_order_id"], name="one_row_per_provider_order"
            )
        ]

    def __str__(self) -> str:
        return f"Order #{self.order_number}"


class OrderLine(models.Model):
    """One line item of an order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    provider_line_id = models.CharField(max_length=64)
    line_type = models.CharField(max_length=30)
    product_id = models.CharField(max_length=64, blank=True)
    variant_id = models.CharField(max_length=64, blank=True, db_index=True)
    sku = models.CharField(max_length=64, blank=True, db_index=True)
    product_name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order", "provider_line_id"], name="one_row_per_provider_line"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku or self.product_name}"


class InventoryLevel(models.Model):
    """The current stock of one variant."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="inventory_levels"
    )
    variant_id = models.CharField(max_length=64)
    sku = models.CharField(max_length=64, blank=True, db_index=True)
    descriptor = models.CharField(max_length=200, blank=True)
    quantity = models.IntegerField(default=0)
    is_unlimited = models.BooleanField(default=False)
    changed_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "variant_id"], name="one_level_per_variant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku}: {'unlimited' if self.is_unlimited else self.quantity}"


class InventoryChange(models.Model):
    """A change in a variant's stock as seen by a sync, so stock-out dates are known."""

    level = models.ForeignKey(InventoryLevel, on_delete=models.CASCADE, related_name="changes")
    observed_at = models.DateTimeField()
    quantity_before = models.IntegerField(null=True, blank=True)
    quantity_after = models.IntegerField()
    is_unlimited = models.BooleanField(default=False)

    class Meta:
        ordering = ["-observed_at"]
        indexes = [models.Index(fields=["level", "observed_at"])]

    def __str__(self) -> str:
        return f"{self.level.sku}: {self.quantity_before} -> {self.quantity_after}"
