"""Read-only questions about reconciliation, for pages, commands, the digest and dashboards."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from integrations.models import Provider, SyncRun, SyncStatus
from reconciliation.models import BUCKETS, Case, CaseStatus, LabelLink, OrderResult
from reconciliation.rules import business_cutoff, business_days_between

SORTS = {
    "age": "since",
    "-age": "-since",
    "bucket": "bucket",
    "opened": "opened_at",
    "-opened": "-opened_at",
    "order": "order__order_number",
}


# What reconciliation compares: each stream must have synced once before a run means anything.
SIDES = (
    (Provider.SQUARESPACE, "orders"),
    (Provider.SHIPPO, "labels"),
    (Provider.SHIPPO, "shippo_orders"),
)


def both_sides_synced() -> bool:
    """Say whether Squarespace's orders and Shippo's labels and orders have each synced once."""
    done = SyncRun.objects.filter(status=SyncStatus.SUCCEEDED)
    return all(
        done.filter(connection__provider=provider, stream=stream).exists()
        for provider, stream in SIDES
    )


def exception_counts() -> dict[str, int]:
    """Return how many orders (and orphan labels) sit in each bucket; every bucket is a key."""
    counts = dict.fromkeys(BUCKETS, 0)
    per_bucket = OrderResult.objects.values_list("bucket").annotate(n=Count("pk"))
    counts.update({bucket: n for bucket, n in per_bucket})
    counts["orphan_label"] = LabelLink.objects.filter(orphan=True).count()
    return counts


def open_case_counts() -> dict[str, int]:
    """Return how many open cases each bucket holds."""
    open_cases = Case.objects.filter(status=CaseStatus.OPEN, active=True)
    return dict(open_cases.values_list("bucket").annotate(n=Count("pk")).order_by("bucket"))


@dataclass(frozen=True)
class CaseFilter:
    """The page's filters, already parsed."""

    bucket: str = ""
    flag: str = ""
    owner: str = ""  # "", "none", or a user id
    status: str = CaseStatus.OPEN
    min_age: int | None = None
    sort: str = "-age"


def cases_filtered(selected: CaseFilter, *, now: datetime | None = None) -> QuerySet[Case]:
    """Return the cases the filters select, sorted."""
    cases = Case.objects.select_related("order", "label", "owner")
    if selected.status:
        cases = cases.filter(status=selected.status)
    if selected.bucket:
        cases = cases.filter(bucket=selected.bucket)
    if selected.flag:
        cases = cases.filter(flags__icontains=f'"{selected.flag}"')
    if selected.owner == "none":
        cases = cases.filter(owner__isnull=True)
    elif selected.owner.isdigit():
        cases = cases.filter(owner_id=int(selected.owner))
    if selected.min_age:
        cases = cases.filter(since__lte=business_cutoff(now or timezone.now(), selected.min_age))
    return cases.order_by(SORTS.get(selected.sort, "-since"), "pk")


def case_age(case: Case, now: datetime) -> int:
    """Return a case's age in business days, from the order (or label) date."""
    return business_days_between(case.since, now)


def case_label(case: Case) -> str:
    """Return what a case is about, without personal data: the order number or the label."""
    if case.order is not None:
        return f"#{case.order.order_number}"
    assert case.label is not None  # noqa: S101 - a case is for an order or a label
    return f"Label {case.label.tracking_number or case.label.object_id}"


def results_as_json(*, now: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Yield one object per reconciled order and per orphan label (the reconcile --json shape)."""
    now = now or timezone.now()
    fields = ("order__order_number", "bucket", "flags", "tracking_numbers", "order__created_on")
    fields_extra = ("match_kind", "confidence")
    for number, bucket, flags, tracking, created, kind, confidence in OrderResult.objects.order_by(
        "order__created_on"
    ).values_list(*fields, *fields_extra):
        yield {
            "order_number": number,
            "bucket": bucket,
            "flags": flags,
            "tracking_numbers": tracking,
            "age_days": business_days_between(created, now),
            "match": kind or None,
            "confidence": confidence,
        }
    yield from _orphans_as_json(now)


def _orphans_as_json(now: datetime) -> Iterator[dict[str, Any]]:
    orphans = LabelLink.objects.filter(orphan=True).order_by("label__object_created")
    for tracking, created in orphans.values_list("label__tracking_number", "label__object_created"):
        yield {
            "order_number": None,
            "bucket": "orphan_label",
            "flags": ["orphan_label"],
            "tracking_numbers": [tracking] if tracking else [],
            "age_days": business_days_between(created, now),
            "match": None,
            "confidence": None,
        }
