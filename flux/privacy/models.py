"""Data-deletion requests: who asked (as a keyed hash only), when, and what was done."""

from django.db import models
from django.db.models import Q


class DeletionSource(models.TextChoices):
    FORM = "form", "Request form"
    META_CALLBACK = "meta_callback", "Meta data-deletion callback"


class SubjectKind(models.TextChoices):
    EMAIL = "email", "Email address"
    META_USER_ID = "meta_user_id", "Meta user id"


class DeletionStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    REJECTED = "rejected", "Rejected"


OPEN_STATUSES = (DeletionStatus.RECEIVED, DeletionStatus.IN_PROGRESS)


class DeletionRequestQuerySet(models.QuerySet["DeletionRequest"]):
    def open(self) -> "DeletionRequestQuerySet":
        """Keep the requests still waiting to be processed."""
        return self.filter(status__in=OPEN_STATUSES)


class DeletionRequest(models.Model):
    """One request to erase data about a person, identified only by a keyed hash."""

    code = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=20, choices=DeletionSource.choices)
    subject_kind = models.CharField(max_length=20, choices=SubjectKind.choices)
    # HMAC-SHA256 hex from flux.hashing; the plaintext identifier is never stored.
    subject_hash = models.CharField(max_length=64)
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=DeletionStatus.choices, default=DeletionStatus.RECEIVED
    )
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    processed_by_label = models.CharField(max_length=150, blank=True)
    result = models.JSONField(default=dict, blank=True)
    reject_reason = models.TextField(blank=True)

    objects = DeletionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["subject_hash"])]
        constraints = [
            # Meta may call back repeatedly for one user: one open request answers them all.
            models.UniqueConstraint(
                fields=["subject_hash"],
                condition=Q(source="meta_callback", status__in=["received", "in_progress"]),
                name="privacy_one_open_meta_request_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"Deletion request #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
