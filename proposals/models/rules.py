"""Staff-written if-then rules: AND-ed metric conditions, one action, minimum data, a schedule."""

from django.conf import settings
from django.db import models

from integrations.models import Campaign


class Rule(models.Model):
    """A rule; `conditions` is [{metric, window_days, op, threshold}], `action` is {type, pct}."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    enabled = models.BooleanField(default=True)
    conditions = models.JSONField(default=list)
    action = models.JSONField(default=dict)  # {"type": pause|resume|budget_pct|notify, "pct": int}
    min_data = models.JSONField(default=dict, blank=True)  # e.g. {"days": 7, "clicks": 100}
    schedule = models.CharField(max_length=100, blank=True)  # cron-like, or empty for interval
    interval_hours = models.PositiveIntegerField(default=24)
    scope_platform = models.CharField(max_length=20, blank=True)  # meta / google_ads / "" (both)
    scope_campaigns = models.ManyToManyField(Campaign, blank=True, related_name="+")
    # Days still settling (late conversions may arrive) are left out of conversion-based
    # metrics unless the rule says otherwise.
    include_settling = models.BooleanField(default=False)
    last_run_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RuleNotification(models.Model):
    """A line in the staff notification list, left by a rule whose action is "notify"."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="notifications")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.message[:80]
