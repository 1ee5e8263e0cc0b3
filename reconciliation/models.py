"""Reconciliation results per order and label, the cases staff work, and their decisions.

Results are written by reconciliation.engine only; cases are opened and reopened by the
engine and moved by staff through reconciliation.cases.
"""

from django.conf import settings
from django.db import models

from integrations.models import Label, Order, ShippoOrder

# The vocabulary, in bucket order: an item's bucket is its first flag in this list.
FLAGS = (
    "excluded",
    "awaiting_label",
    "missing_in_shippo",
    "in_shippo_no_label",
    "fulfilled_no_label",
    "label_not_fulfilled",
    "multiple_labels",
    "voided_only",
    "zip_mismatch",
    "stale_tracking",
    "returned",
    "probable_match",
    "orphan_label",
)
MATCHED = "matched"
BUCKETS = (*FLAGS, MATCHED)
# Flags that are facts, not problems: they open no case.
QUIET_FLAGS = frozenset({"excluded", "awaiting_label"})


class MatchKind(models.TextChoices):
    NONE = "", "None"
    EXACT = "exact", "Exact"
    CONFIRMED = "confirmed", "Confirmed by staff"
    PROBABLE = "probable", "Probable"


class OrderResult(models.Model):
    """How one order stands: its flags, its labels and how they were matched."""

    order = models.OneToOneField(
        Order, primary_key=True, on_delete=models.CASCADE, related_name="recon"
    )
    bucket = models.CharField(max_length=24, db_index=True)
    flags = models.JSONField(default=list)
    label_ids = models.JSONField(default=list)
    tracking_numbers = models.JSONField(default=list)
    match_kind = models.CharField(max_length=10, choices=MatchKind.choices, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    in_shippo = models.BooleanField(default=False)
    order_modified = models.DateTimeField()  # the order's modified_on when it was evaluated
    evaluated_at = models.DateTimeField()
    # The next moment time alone can change the flags (SLA passed, a label ageing).
    recheck_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"Result of order {self.order_id}: {self.bucket}"


class LabelLink(models.Model):
    """Which order a label belongs to, and the label fields it was judged on."""

    label = models.OneToOneField(
        Label, primary_key=True, on_delete=models.CASCADE, related_name="recon_link"
    )
    number = models.CharField(max_length=32, blank=True, db_index=True)  # from its own data
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="label_links"
    )
    kind = models.CharField(max_length=10, choices=MatchKind.choices, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    orphan = models.BooleanField(default=False, db_index=True)
    object_state = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    tracking_status = models.CharField(max_length=20, blank=True)
    object_updated = models.DateTimeField()

    def __str__(self) -> str:
        return f"Label {self.label_id} -> order {self.order_id or '-'}"


class ShippoOrderKey(models.Model):
    """The Squarespace order number a Shippo order's free text names."""

    shippo_order = models.OneToOneField(
        ShippoOrder, primary_key=True, on_delete=models.CASCADE, related_name="recon_key"
    )
    number = models.CharField(max_length=32, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"Shippo order {self.shippo_order_id} -> #{self.number}"


class ReconRun(models.Model):
    """One reconciliation run, and the watermark the next incremental run starts from."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    full = models.BooleanField(default=False)
    orders_evaluated = models.PositiveIntegerField(default=0)
    labels_evaluated = models.PositiveIntegerField(default=0)
    results_written = models.PositiveIntegerField(default=0)
    max_shippo_order_pk = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Reconciliation run {self.pk} ({'full' if self.full else 'incremental'})"


class Decision(models.TextChoices):
    CONFIRM = "confirm", "Confirmed"
    REJECT = "reject", "Rejected"


class MatchDecision(models.Model):
    """A person's verdict on a probable order-label pair; a rejected pair is never proposed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="match_decisions")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="match_decisions")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "label"], name="one_decision_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.decision} order {self.order_id} / label {self.label_id}"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    IGNORED = "ignored", "Ignored"


class Case(models.Model):
    """One exception to work: an order with a problem flag, or an orphan label."""

    order = models.OneToOneField(
        Order, null=True, blank=True, on_delete=models.CASCADE, related_name="recon_case"
    )
    label = models.OneToOneField(
        Label, null=True, blank=True, on_delete=models.CASCADE, related_name="recon_case"
    )
    bucket = models.CharField(max_length=24, db_index=True)
    flags = models.JSONField(default=list)
    active = models.BooleanField(default=True)  # the problem is present as of the last run
    status = models.CharField(
        max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True
    )
    reason = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recon_cases",
    )
    opened_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveIntegerField(default=0)
    since = models.DateTimeField()  # when the order was placed or the label bought

    class Meta:
        ordering = ["since"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(order__isnull=False) ^ models.Q(label__isnull=False),
                name="case_is_for_an_order_or_a_label",
            )
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}: {self.bucket}"

    @property
    def is_orphan(self) -> bool:
        return self.label_id is not None


class CaseNote(models.Model):
    """A note a person left on a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note on case {self.case_id}"
