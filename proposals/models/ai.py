"""The AI call log: every Claude call with its prompt, output, tokens, cost and timing."""

from decimal import Decimal

from django.conf import settings
from django.db import models


class AICallStatus(models.TextChoices):
    OK = "ok", "OK"
    ERROR = "error", "Error"
    REFUSED = "refused", "Refused before sending"


class AICallTrigger(models.TextChoices):
    MANUAL = "manual", "Started by hand"
    SCHEDULE = "schedule", "Schedule"
    COMMAND = "command", "Management command"


class AICall(models.Model):
    """One call to the Anthropic Messages API (or one refused before it left)."""

    model = models.CharField(max_length=100)
    system = models.TextField(blank=True)
    messages = models.JSONField(default=list, blank=True)
    output = models.JSONField(default=dict, blank=True)
    tool_calls = models.JSONField(default=list, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cache_read_tokens = models.PositiveIntegerField(default=0)
    cache_write_tokens = models.PositiveIntegerField(default=0)
    cost_micro_usd = models.BigIntegerField(default=0)  # millionths of a US dollar
    latency_ms = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=AICallStatus.choices)
    error = models.TextField(blank=True)
    # Each HTTP attempt ({status, request_id, error}): the SDK's retries and broken streams.
    attempts = models.JSONField(default=list, blank=True)
    # Tool calls that became no proposal ({tool_use_id, name, reason}): bad input, unknown target.
    rejections = models.JSONField(default=list, blank=True)
    trigger = models.CharField(
        max_length=10, choices=AICallTrigger.choices, default=AICallTrigger.MANUAL
    )
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.model} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def cost_usd(self) -> Decimal:
        """Return the cost in US dollars."""
        return Decimal(self.cost_micro_usd) / 1_000_000
