"""A proposal is a typed diff on one target; approvals, executions and outcomes hang off it."""

from typing import Any

from django.conf import settings
from django.db import models

from integrations.models import Campaign
from proposals.models.ai import AICall
from proposals.models.rules import Rule


class ProposalKind(models.TextChoices):
    BUDGET = "budget", "Budget change"
    PAUSE = "pause", "Pause campaign"
    RESUME = "resume", "Resume campaign"
    PAGE_CONTENT = "page_content", "Page-content change"
    SOCIAL_POST = "social_post", "Social post draft"


CAMPAIGN_KINDS = frozenset({ProposalKind.BUDGET, ProposalKind.PAUSE, ProposalKind.RESUME})
# Campaign statuses as proposals speak of them (Google's ENABLED is ACTIVE here).
CAMPAIGN_STATUSES = frozenset({"ACTIVE", "PAUSED"})


class ProposalSource(models.TextChoices):
    RULE = "rule", "Rule"
    AI = "ai", "Claude"
    MANUAL = "manual", "Manual"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    BLOCKED = "blocked", "Blocked"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXECUTING = "executing", "Executing"
    EXECUTED = "executed", "Executed"
    FAILED = "failed", "Failed"
    STALE = "stale", "Stale"
    UNDONE = "undone", "Undone"
    TODO = "todo", "To-do open"


class Proposal(models.Model):
    """One proposed change: target, field, current and proposed value, and why."""

    kind = models.CharField(max_length=20, choices=ProposalKind.choices)
    status = models.CharField(
        max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    blocked_reason = models.TextField(blank=True)
    # Target: a campaign (budget, pause, resume), a page URL (content), or a channel (posts).
    platform = models.CharField(max_length=20)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    page_url = models.CharField(max_length=500, blank=True)
    target_label = models.CharField(max_length=300)
    field = models.CharField(max_length=40)
    current_value = models.JSONField(null=True, blank=True)
    proposed_value = models.JSONField()
    currency = models.CharField(max_length=3, blank=True)
    rationale = models.TextField()
    evidence = models.JSONField(default=dict, blank=True)
    assumptions = models.JSONField(default=dict, blank=True)
    expected_impact = models.TextField(blank=True)
    confidence = models.DecimalField(max_digits=3, decimal_places=2)  # 0.00 .. 1.00
    source = models.CharField(max_length=10, choices=ProposalSource.choices)
    rule = models.ForeignKey(
        Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    ai_call = models.ForeignKey(
        AICall, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["campaign", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target_label}"

    def payload(self) -> dict[str, Any]:
        """Return the exact content an approval is bound to."""
        return {
            "kind": self.kind,
            "platform": self.platform,
            "campaign_id": self.campaign_id,
            "page_url": self.page_url,
            "field": self.field,
            "current_value": self.current_value,
            "proposed_value": self.proposed_value,
            "currency": self.currency,
            "rationale": self.rationale,
            "evidence": self.evidence,
            "assumptions": self.assumptions,
            "expected_impact": self.expected_impact,
            "confidence": str(self.confidence),
        }

    @property
    def is_campaign_change(self) -> bool:
        """Say whether approving it writes to an ad platform."""
        return self.kind in CAMPAIGN_KINDS


class Decision(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Approval(models.Model):
    """A person's decision, bound to the payload hash it was made on."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="approvals")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    payload_hash = models.CharField(max_length=64)
    decided_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} #{self.proposal_id}"


class ExecutionDirection(models.TextChoices):
    FORWARD = "forward", "Apply"
    UNDO = "undo", "Undo"


class ExecutionStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    STALE = "stale", "Stale"
    REFUSED = "refused", "Refused"


FINISHED_EXECUTION = frozenset(
    {
        ExecutionStatus.SUCCEEDED,
        ExecutionStatus.FAILED,
        ExecutionStatus.STALE,
        ExecutionStatus.REFUSED,
    }
)


class Execution(models.Model):
    """One application (or undo) of an approved proposal; attempts are its retries."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="executions")
    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="executions")
    direction = models.CharField(max_length=10, choices=ExecutionDirection.choices)
    idempotency_key = models.CharField(max_length=100, unique=True)
    expected_value = models.JSONField(null=True, blank=True)  # what the platform should show first
    target_value = models.JSONField()  # the absolute value to write
    status = models.CharField(
        max_length=10, choices=ExecutionStatus.choices, default=ExecutionStatus.QUEUED
    )
    wrote = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} #{self.proposal_id}"

    @property
    def is_finished(self) -> bool:
        """Say whether no more attempts will run."""
        return self.status in FINISHED_EXECUTION


class ExecutionAttempt(models.Model):
    """One try at an execution: what was read, sent and answered, and how long it took."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=ExecutionStatus.choices, default=ExecutionStatus.RUNNING
    )
    read_before = models.JSONField(null=True, blank=True)
    request = models.JSONField(default=dict, blank=True)
    response = models.JSONField(default=dict, blank=True)
    read_after = models.JSONField(null=True, blank=True)
    wrote = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["execution", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["execution", "number"], name="one_attempt_number_per_execution"
            )
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.execution}"


class TodoState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    UNDONE = "undone", "Undone"


class Todo(models.Model):
    """The staff task an approved page-content proposal becomes (no page API to write to)."""

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="todo")
    state = models.CharField(max_length=10, choices=TodoState.choices, default=TodoState.OPEN)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"to-do for #{self.proposal_id}"


class Outcome(models.Model):
    """The target's metrics over equal windows before and after the change, at +7 or +14 days."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="outcomes")
    horizon_days = models.PositiveSmallIntegerField()
    changed_on = models.DateField()
    due_at = models.DateTimeField(db_index=True)
    measured_at = models.DateTimeField(null=True, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    delta = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["proposal", "horizon_days"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "horizon_days"], name="one_outcome_per_horizon"
            )
        ]

    def __str__(self) -> str:
        return f"+{self.horizon_days}d outcome of #{self.proposal_id}"
