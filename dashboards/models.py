"""The dashboards' rollups: facts and sums the pages read instead of the large synced tables.

Orders: dashboards.rollups.orders keeps the per-order facts and daily sums after every orders or
Shippo sync, after each reconciliation run and after an erasure. Days are brand-local
(FLUX_BRAND_TIME_ZONE); money is in minor units of the orders' currency. Nothing here names a
customer: a customer is the pk of their first counted order, found by email hash.

Search: dashboards.rollups.search rebuilds the daily totals and weekly sums from the daily query
× page rollup after every Search Console sync. Days are Search Console's (Pacific) days.

Ads: dashboards.rollups.ads rebuilds the daily sums per platform and currency after every Meta
or Google Ads sync. Days are the ad accounts' own; money is in micros of their currency.
"""

from django.db import models

from catalog.models import ProductVariant
from integrations.models import Order


class RollupState(models.Model):
    """The one row that serialises refreshes and records the zone the days were cut in."""

    time_zone = models.CharField(max_length=64)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # Orders and labels in a reconciliation problem bucket, counted by the refresh that follows
    # every reconciliation run (null: reconciliation not available then).
    reconciliation_exceptions = models.IntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Rollups in {self.time_zone} as of {self.refreshed_at}"


class OrderFact(models.Model):
    """What the dashboards need of one order that its own row cannot tell cheaply.

    `modified_on`, `counted` and whether it has a customer are the order's as last seen: a
    refresh rebuilds the facts of every order where they differ. The order is not a foreign
    key constraint, so the fact of a deleted order survives until the refresh that rebuilds
    its day.
    """

    order = models.OneToOneField(
        Order,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="dashboard_fact",
    )
    day = models.DateField()  # brand-local day the order was placed
    modified_on = models.DateTimeField()
    counted = models.BooleanField()  # not a test order, not cancelled
    # Counted orders with an email hash only: pk of the customer's first counted order ever.
    customer = models.BigIntegerField(null=True, blank=True)
    first = models.BooleanField(default=False)  # the customer's first counted order ever
    repeat = models.BooleanField(default=False)  # the customer has 2+ counted orders ever
    # First orders only: time to the customer's next (later) counted order, and the net revenue
    # of all the customer's counted orders.
    reordered_after = models.DurationField(null=True, blank=True)
    customer_revenue = models.BigIntegerField(default=0)
    line_total = models.BigIntegerField(default=0)  # Σ quantity × unit price of its lines
    label_cost = models.BigIntegerField(default=0)  # valid Shippo labels linked to it (counted)

    class Meta:
        indexes = [
            models.Index(fields=["day", "customer", "repeat"], name="orderfact_day_customer"),
            models.Index(fields=["customer"], name="orderfact_customer"),
        ]

    def __str__(self) -> str:
        return f"Order {self.order_id} on {self.day}"


class SalesDay(models.Model):
    """One brand-local day of orders, summed; a day without orders has no row."""

    day = models.DateField(primary_key=True)
    placed = models.IntegerField(default=0)  # not test orders, cancelled included
    canceled = models.IntegerField(default=0)
    canceled_total = models.BigIntegerField(default=0)  # their grand totals
    orders = models.IntegerField(default=0)  # counted: not test, not cancelled
    gross = models.BigIntegerField(default=0)  # grand totals of counted orders
    refunded = models.BigIntegerField(default=0)  # refunds of counted orders
    refunded_orders = models.IntegerField(default=0)  # counted orders with a refund
    label_cost = models.BigIntegerField(default=0)  # valid labels of counted orders
    # Customers whose first counted order ever fell on this day (dashboards.selectors.sales
    # COHORT_WINDOWS are the again_* windows).
    new_customers = models.IntegerField(default=0)
    new_customer_revenue = models.BigIntegerField(default=0)  # net of those first orders
    again_30 = models.IntegerField(default=0)  # ... who ordered again within 30 days
    again_90 = models.IntegerField(default=0)
    again_180 = models.IntegerField(default=0)
    customer_revenue = models.BigIntegerField(default=0)  # their net revenue to date

    def __str__(self) -> str:
        return f"Sales on {self.day}"


class SkuDay(models.Model):
    """The lines of one brand-local day's counted orders, summed per SKU ("" for none)."""

    day = models.DateField()
    sku = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=200)  # the greatest product name its lines carried
    units = models.BigIntegerField(default=0)
    revenue = models.BigIntegerField(default=0)  # Σ quantity × unit price
    # Σ over lines of the order's label cost × the line's share of the order's line total.
    label_share = models.FloatField(default=0)
    # The catalog's variant for the SKU, if any: a join on the SKU itself, no stored key, so
    # COGS always use the catalog's costs as they are now.
    variant = models.ForeignObject(
        ProductVariant,
        on_delete=models.DO_NOTHING,
        from_fields=["sku"],
        to_fields=["sku"],
        related_name="+",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "sku"], name="one_row_per_sku_day")]

    def __str__(self) -> str:
        return f"{self.sku or self.name} on {self.day}"


class SearchDayTotal(models.Model):
    """Search Console totals of one day over every property, from its query × page rollup."""

    day = models.DateField(primary_key=True)
    clicks = models.BigIntegerField(default=0)
    impressions = models.BigIntegerField(default=0)
    position_impressions = models.FloatField(default=0)  # Σ(position × impressions)
    fresh_rows = models.IntegerField(default=0)  # rollup rows Google may still revise

    def __str__(self) -> str:
        return f"Search totals on {self.day}"


class SearchQueryPageWeek(models.Model):
    """One query × page over a Monday-to-Sunday week (every property): long ranges read weeks."""

    week = models.DateField()  # its Monday
    query = models.TextField()
    page = models.TextField()
    clicks = models.BigIntegerField(default=0)
    impressions = models.BigIntegerField(default=0)
    position_impressions = models.FloatField(default=0)

    class Meta:
        indexes = [models.Index(fields=["week"], name="searchweek_week")]

    def __str__(self) -> str:
        return f"Week of {self.week} {self.query[:40]}"


class AdDay(models.Model):
    """One account-local day of one platform's campaigns in one currency, summed."""

    day = models.DateField()
    platform = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    spend_micros = models.BigIntegerField(default=0)
    conversions = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    conversion_value_micros = models.BigIntegerField(default=0)
    settling_rows = models.IntegerField(default=0)  # its campaign-days that may still change

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "platform", "currency"], name="one_row_per_ad_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.currency} on {self.day}"


class RollupVersion(models.Model):
    """When each kind of rollup (orders, search, ads) last changed: cached figures key on it."""

    kind = models.CharField(max_length=10, primary_key=True)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind} rollups as of {self.changed_at}"
