"""Reconciliation results per order and label, the cases staff work, and their decisions.

Results are written by reconciliation.engine only; cases are opened and reopened by the
engine and moved by staff through reconciliation.cases.

Results and links are derived data that a full run rebuilds, so they carry no foreign-key
constraint in the database (checking 250k keys per run costs more than the run itself); the
ORM still cascades deletes to them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from integrations.models import Label, Order

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
        Order, primary_key=True, on_delete=models.CASCADE, related_name="recon", db_constraint=False
    )
    bucket = models.CharField(max_length=24)
    flags = models.JSONField(default=list)
    label_ids = models.JSONField(default=list)
    tracking_numbers = models.JSONField(default=list)
    match_kind = models.CharField(max_length=10, choices=MatchKind.choices, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    in_shippo = models.BooleanField(default=False)
    order_modified = models.DateTimeField()  # the order's modified_on when it was evaluated
    evaluated_at = models.DateTimeField()
    # The next moment time alone can change the flags (SLA passed, a label ageing).
    recheck_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["recheck_at"],
                condition=Q(recheck_at__isnull=False),
                name="recon_result_recheck",
            )
        ]

    def __str__(self) -> str:
        return f"Result of order {self.order_id}: {self.bucket}"


class LabelLink(models.Model):
    """Which order a label belongs to, and the label fields it was judged on."""

    label = models.OneToOneField(
        Label,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="recon_link",
        db_constraint=False,
    )
    number = models.CharField(max_length=32, blank=True)  # from its own data
    order = models.ForeignKey(
        Order,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="label_links",
        db_constraint=False,
    )
    kind = models.CharField(max_length=10, choices=MatchKind.choices, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    orphan = models.BooleanField(default=False)
    object_state = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    tracking_status = models.CharField(max_length=20, blank=True)
    object_updated = models.DateTimeField()

    class Meta:
        indexes = [
            # An unlinked label may be waiting for its order to arrive.
            models.Index(
                fields=["number"], condition=Q(order__isnull=True), name="recon_link_unlinked"
            ),
            models.Index(fields=["label"], condition=Q(orphan=True), name="recon_link_orphan"),
            models.Index(
                fields=["label"], condition=Q(kind="probable"), name="recon_link_probable"
            ),
        ]

    def __str__(self) -> str:
        return f"Label {self.label_id} -> order {self.order_id or '-'}"


class NumberText(models.Model):
    """The order number a text names, for texts PostgreSQL's fast reader leaves to Python.

    A pure function's memo (text in, number out), so it is never stale. The database reads
    the usual forms ("1042", "#1042", "Order #1042", "order 1042", "SQ-1042") itself.
    """

    text = models.CharField(max_length=200, primary_key=True)
    number = models.CharField(max_length=32, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.text!r} -> #{self.number}"


class PendingChange(models.Model):
    """An order, label or Shippo order written since the last run (PostgreSQL triggers)."""

    kind = models.CharField(max_length=12)  # "order", "label" or "shippo_order"
    row_id = models.BigIntegerField()
    old_text = models.CharField(max_length=100, blank=True)  # a Shippo order's number before

    def __str__(self) -> str:
        return f"Changed {self.kind} {self.row_id}"


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
