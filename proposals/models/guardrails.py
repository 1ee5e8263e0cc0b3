"""The guardrails: one row of limits every proposal and execution is checked against."""

from django.conf import settings
from django.db import models

from integrations.models import Campaign


class Guardrails(models.Model):
    """The singleton settings row (pk 1); admins edit it, every change is audited."""

    max_change_pct_per_action = models.PositiveIntegerField(default=30)
    max_change_pct_per_day = models.PositiveIntegerField(default=50)
    # Daily budget bounds in minor units of the campaign's currency.
    min_daily_budget_minor = models.BigIntegerField(default=500)
    max_daily_budget_minor = models.BigIntegerField(default=50_000)
    cooldown_hours = models.PositiveIntegerField(default=72)
    min_data_days = models.PositiveIntegerField(default=7)
    min_data_clicks = models.PositiveIntegerField(default=100)
    protected_campaigns = models.ManyToManyField(Campaign, blank=True, related_name="+")
    low_stock_units = models.IntegerField(default=5)
    ai_monthly_cap_micro_usd = models.BigIntegerField(default=50_000_000)
    approval_expiry_hours = models.PositiveIntegerField(default=24)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "guardrails"

    def __str__(self) -> str:
        return "Guardrails"

    @classmethod
    def current(cls) -> "Guardrails":
        """Return the one row, creating it with the defaults the first time."""
        row, _ = cls.objects.get_or_create(pk=1)
        return row
