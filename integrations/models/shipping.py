"""Shippo shipments, rates, labels (transactions) with their tracking, and Shippo orders.

The policy allows a label's recipient name, ZIP and country; they stay in this database and
go nowhere except back to Shippo (never to Claude, logs or task payloads).
"""

from django.db import models

from integrations.models.connections import Connection


class Shipment(models.Model):
    """A Shippo shipment: the parcels and the recipient a label is bought for."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="shipments")
    object_id = models.CharField(max_length=64)
    status = models.CharField(max_length=20, blank=True)
    object_created = models.DateTimeField()
    object_updated = models.DateTimeField()
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_zip = models.CharField(max_length=20, blank=True)
    recipient_country = models.CharField(max_length=2, blank=True)
    parcel_count = models.PositiveSmallIntegerField(default=1)
    metadata = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "object_id"], name="one_row_per_shippo_shipment"
            )
        ]

    def __str__(self) -> str:
        return f"Shipment {self.object_id}"


class Rate(models.Model):
    """A carrier's price for a shipment; a label points at the rate it was bought with."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="rates")
    object_id = models.CharField(max_length=64)
    shipment = models.ForeignKey(
        Shipment, null=True, blank=True, on_delete=models.SET_NULL, related_name="rates"
    )
    carrier = models.CharField(max_length=40)
    service_level = models.CharField(max_length=100, blank=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "object_id"], name="one_row_per_shippo_rate"
            )
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.service_level}"


class ShippoOrder(models.Model):
    """An order as Shippo received it (through QuickBooks); it may never get a label."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="shippo_orders"
    )
    object_id = models.CharField(max_length=64)
    order_number = models.CharField(max_length=100, db_index=True)
    order_status = models.CharField(max_length=30, blank=True)
    placed_at = models.DateTimeField(null=True, blank=True)
    recipient_zip = models.CharField(max_length=20, blank=True)
    recipient_country = models.CharField(max_length=2, blank=True)
    object_created = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "object_id"], name="one_row_per_shippo_order"
            )
        ]

    def __str__(self) -> str:
        return f"Shippo order {self.order_number}"


class LabelQuerySet(models.QuerySet["Label"]):
    def valid(self) -> "LabelQuerySet":
        """Labels that still ship something: created successfully, not voided or refunded."""
        return self.filter(object_state="VALID", status="SUCCESS")


class Label(models.Model):
    """A Shippo transaction: one purchased label, with its latest tracking status."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="labels")
    object_id = models.CharField(max_length=64)
    object_state = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    object_created = models.DateTimeField(db_index=True)
    object_updated = models.DateTimeField()
    test = models.BooleanField(default=False)
    tracking_number = models.CharField(max_length=100, blank=True, db_index=True)
    carrier = models.CharField(max_length=40, blank=True)
    service_level = models.CharField(max_length=100, blank=True)
    tracking_status = models.CharField(max_length=20, blank=True)
    tracking_status_at = models.DateTimeField(null=True, blank=True)
    eta = models.DateTimeField(null=True, blank=True)
    label_cost = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_zip = models.CharField(max_length=20, blank=True)
    recipient_country = models.CharField(max_length=2, blank=True)
    metadata = models.CharField(max_length=200, blank=True)
    rate_object_id = models.CharField(max_length=64, blank=True)
    shippo_order_object_id = models.CharField(max_length=64, blank=True, db_index=True)

    objects = LabelQuerySet.as_manager()

    class Meta:
        ordering = ["-object_created"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "object_id"], name="one_row_per_shippo_label"
            )
        ]

    def __str__(self) -> str:
        return f"Label {self.tracking_number or self.object_id}"

    @property
    def is_valid(self) -> bool:
        return self.object_state == "VALID" and self.status == "SUCCESS"
