"""Connections to provider accounts, and the record of every sync run against them."""

from django.db import models
from django.db.models import Q

from integrations.models.credentials import Credential


class Provider(models.TextChoices):
    META = "meta", "Meta"
    GOOGLE_ADS = "google_ads", "Google Ads"
    SEARCH_CONSOLE = "search_console", "Search Console"
    SQUARESPACE = "squarespace", "Squarespace"
    SHIPPO = "shippo", "Shippo"
    ANTHROPIC = "anthropic", "Anthropic"


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"
    DISABLED = "disabled", "Disabled"
    REVOKED = "revoked", "Revoked"


class ConnectionQuerySet(models.QuerySet["Connection"]):
    def fetchable(self) -> "ConnectionQuerySet":
        """Connections the scheduler may sync: active ones only."""
        return self.filter(status=ConnectionStatus.ACTIVE)


class Connection(models.Model):
    """One provider account Flux Engineering has connected (an ad account, a store, ...)."""

    provider = models.CharField(max_length=20, choices=Provider.choices)
    external_account_id = models.CharField(max_length=100)
    display_name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE
    )
    # Revoking deletes the credential (purge_revoked_tokens) but keeps the connection's history.
    credential = models.OneToOneField(
        Credential, null=True, blank=True, on_delete=models.SET_NULL, related_name="connection"
    )
    token_expires_at = models.DateTimeField(null=True, blank=True)
    # Non-secret choices made while connecting (the Page, the Instagram account, the property).
    options = models.JSONField(default=dict, blank=True)
    connected_at = models.DateTimeField(auto_now_add=True)
    connected_by_label = models.CharField(max_length=150, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_account_id"], name="one_connection_per_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.display_name}"

    @property
    def is_fetchable(self) -> bool:
        return self.status == ConnectionStatus.ACTIVE


class SyncStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    STOPPED = "stopped", "Stopped"  # the connection was revoked or disabled mid-run


class SyncRun(models.Model):
    """One run of one stream of one connection: counts, bookmark, outcome."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="runs")
    stream = models.CharField(max_length=40)
    status = models.CharField(max_length=20, choices=SyncStatus.choices, default=SyncStatus.RUNNING)
    full = models.BooleanField(default=False)
    trigger = models.CharField(max_length=20, default="schedule")
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    rows_inserted = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    bookmark_start = models.CharField(max_length=200, blank=True)
    bookmark_end = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    error_permanent = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["connection", "stream", "-started_at"])]
        constraints = [
            # The database, not a lock in Python, keeps two runs of one stream from overlapping.
            models.UniqueConstraint(
                fields=["connection", "stream"],
                condition=Q(status="running"),
                name="one_running_sync_per_stream",
            )
        ]

    def __str__(self) -> str:
        return f"{self.connection} {self.stream} run {self.pk} ({self.status})"


class SyncState(models.Model):
    """The bookmark a stream resumes from; committed with each page it covers."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="states")
    stream = models.CharField(max_length=40)
    bookmark = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "stream"], name="one_state_per_stream")
        ]

    def __str__(self) -> str:
        return f"{self.connection} {self.stream} @ {self.bookmark or 'start'}"


class WebhookDelivery(models.Model):
    """A webhook notification we accepted, kept by its id so each is processed once."""

    provider = models.CharField(max_length=20, choices=Provider.choices)
    delivery_id = models.CharField(max_length=100)
    topic = models.CharField(max_length=60)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "delivery_id"], name="one_delivery_per_id")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.topic} {self.delivery_id}"
