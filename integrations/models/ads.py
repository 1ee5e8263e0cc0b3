"""One ads model across Meta and Google Ads, so dashboards and proposals need no platform code.

Days are the ad account's local days. Money is kept in micros of the account currency
(Google reports cost_micros; Meta's decimal strings convert exactly), never as floats.
A day is `settling` while late conversions may still change it (its re-read window).
"""

from django.db import models

from integrations.models.connections import Connection


class AdPlatform(models.TextChoices):
    META = "meta", "Meta"
    GOOGLE_ADS = "google_ads", "Google Ads"


class AdAccount(models.Model):
    """A Meta ad account (act_...) or a Google Ads customer."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="ad_accounts")
    platform = models.CharField(max_length=20, choices=AdPlatform.choices)
    external_id = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3)
    time_zone = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="one_row_per_ad_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.name}"


class Campaign(models.Model):
    """A campaign on either platform, with its budget in minor units of the account currency."""

    ad_account = models.ForeignKey(AdAccount, on_delete=models.CASCADE, related_name="campaigns")
    platform = models.CharField(max_length=20, choices=AdPlatform.choices)
    external_id = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    status = models.CharField(max_length=30)  # ACTIVE / PAUSED / REMOVED (normalised)
    platform_status = models.CharField(max_length=40, blank=True)  # as the platform says it
    objective = models.CharField(max_length=60, blank=True)
    daily_budget = models.BigIntegerField(null=True, blank=True)
    lifetime_budget = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    budget_external_id = models.CharField(max_length=128, blank=True)
    targeting_summary = models.TextField(blank=True)
    start_date = models.DateField(null=True, blank=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ad_account", "external_id"], name="one_row_per_campaign"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AdSet(models.Model):
    """A Meta ad set (or a Google ad group): where targeting lives."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ad_sets")
    external_id = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    status = models.CharField(max_length=40)
    daily_budget = models.BigIntegerField(null=True, blank=True)
    targeting = models.JSONField(default=dict, blank=True)
    targeting_summary = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "external_id"], name="one_row_per_ad_set")
        ]

    def __str__(self) -> str:
        return self.name


class CampaignDay(models.Model):
    """A campaign's metrics for one account-local day, as attributed by `attribution_setting`."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    spend_micros = models.BigIntegerField(default=0)
    conversions = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    conversion_value_micros = models.BigIntegerField(default=0)
    attribution_setting = models.CharField(max_length=100, blank=True)
    settling = models.BooleanField(default=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "day"], name="one_row_per_campaign_day")
        ]
        indexes = [
            models.Index(fields=["day"]),
            # Syncs settle the days their window has left behind after every page: this keeps
            # that update to the few settling rows instead of every day of the account.
            models.Index(
                fields=["campaign", "day"],
                condition=models.Q(settling=True),
                name="campaign_days_settling",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.day}"


class SearchTermDay(models.Model):
    """Google Ads search-term report: what people typed, per campaign and day."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="search_terms")
    day = models.DateField()
    search_term = models.CharField(max_length=400)
    term_key = models.CharField(max_length=40)  # sha1 of the term: indexable whatever its length
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    cost_micros = models.BigIntegerField(default=0)
    conversions = models.DecimalField(max_digits=14, decimal_places=4, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "day", "term_key"], name="one_row_per_search_term_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.search_term} {self.day}"
