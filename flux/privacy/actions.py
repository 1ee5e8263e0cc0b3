"""Named actions on deletion requests: receive, process, reject, flag overdue."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from flux.audit.actions import audit_record
from flux.hashing import hash_email, hash_identifier
from flux.privacy.erasure import erasure_run
from flux.privacy.models import (
    OPEN_STATUSES,
    DeletionRequest,
    DeletionSource,
    DeletionStatus,
    SubjectKind,
)

Staff = AbstractBaseUser | AnonymousUser
SYSTEM_ACTOR = "system:privacy"


@dataclass(frozen=True)
class DeletionSubject:
    """The person a request is about, already reduced to a keyed hash."""

    kind: SubjectKind
    hash: str

    @classmethod
    def from_email(cls, email: str) -> "DeletionSubject":
        return cls(SubjectKind.EMAIL, hash_email(email))

    @classmethod
    def from_meta_user_id(cls, user_id: str) -> "DeletionSubject":
        return cls(SubjectKind.META_USER_ID, hash_identifier(f"meta:{user_id}"))


class DeletionRequestNotOpen(Exception):
    """Raised when processing or rejecting a request that is already closed."""


def confirmation_code_new() -> str:
    """Return an unguessable, URL-safe confirmation code (192 random bits)."""
    return secrets.token_urlsafe(24)


def deletion_request_create(
    *, source: DeletionSource, subject: DeletionSubject, note: str = ""
) -> DeletionRequest:
    """Record a new request, due FLUX_DELETION_DUE_DAYS from now, and audit it."""
    now = timezone.now()
    with transaction.atomic():
        request = DeletionRequest.objects.create(
            code=confirmation_code_new(),
            source=source,
            subject_kind=subject.kind,
            subject_hash=subject.hash,
            note=note,
            created_at=now,
            due_at=now + timedelta(days=settings.FLUX_DELETION_DUE_DAYS),
        )
        audit_record(
            actor=f"public:{source}",
            action="privacy.deletion_request.received",
            target=request,
            after={"source": source, "subject_kind": subject.kind, "due_at": _iso(request.due_at)},
        )
    return request


def meta_deletion_request_open(*, subject: DeletionSubject) -> DeletionRequest:
    """Return the open Meta-callback request for the subject, creating it if there is none."""
    existing = _open_meta_request(subject)
    if existing is not None:
        return existing
    try:
        return deletion_request_create(source=DeletionSource.META_CALLBACK, subject=subject)
    except IntegrityError:
        # A concurrent callback for the same user won the unique open-request constraint.
        winner = _open_meta_request(subject)
        if winner is None:
            raise
        return winner


def _open_meta_request(subject: DeletionSubject) -> DeletionRequest | None:
    return (
        DeletionRequest.objects.open()
        .filter(source=DeletionSource.META_CALLBACK, subject_hash=subject.hash)
        .first()
    )


def deletion_request_process(*, request_id: int, actor: Staff) -> DeletionRequest:
    """Run every registered eraser for the request's subject in one transaction; audit it."""
    with transaction.atomic():
        request = _claim(request_id, DeletionStatus.IN_PROGRESS)
        counts = erasure_run(subject_hash=request.subject_hash, subject_kind=request.subject_kind)
        _close(request, actor=actor, status=DeletionStatus.COMPLETED, result=counts)
        audit_record(
            actor=actor,
            action="privacy.deletion_request.completed",
            target=request,
            after={"status": request.status, "result": counts},
        )
    return request


def deletion_request_reject(*, request_id: int, actor: Staff, reason: str) -> DeletionRequest:
    """Close the request without erasing anything, keeping the reason; audit it."""
    with transaction.atomic():
        request = _claim(request_id, DeletionStatus.REJECTED)
        request.reject_reason = reason
        _close(request, actor=actor, status=DeletionStatus.REJECTED, result={})
        audit_record(
            actor=actor,
            action="privacy.deletion_request.rejected",
            target=request,
            after={"status": request.status, "reason": reason},
        )
    return request


def _claim(request_id: int, status: DeletionStatus) -> DeletionRequest:
    # A conditional UPDATE: of two staff acting at once, exactly one wins the row.
    claimed = DeletionRequest.objects.filter(pk=request_id, status__in=OPEN_STATUSES).update(
        status=status
    )
    if claimed != 1:
        raise DeletionRequestNotOpen(request_id)
    return DeletionRequest.objects.get(pk=request_id)


def _close(
    request: DeletionRequest, *, actor: Staff, status: DeletionStatus, result: dict[str, int]
) -> None:
    request.status = status
    request.result = result
    request.completed_at = timezone.now()
    request.processed_by_label = actor.get_username() if actor.is_authenticated else "anonymous"
    request.save(
        update_fields=["status", "result", "completed_at", "processed_by_label", "reject_reason"]
    )


def deletion_requests_flag_overdue(*, now: datetime | None = None) -> int:
    """Mark open requests past their due date, auditing each once; return how many."""
    now = now or timezone.now()
    overdue = DeletionRequest.objects.open().filter(due_at__lt=now, overdue_flagged_at=None)
    return sum(_flag_overdue(request, now) for request in overdue)


def _flag_overdue(request: DeletionRequest, now: datetime) -> int:
    with transaction.atomic():
        flagged = DeletionRequest.objects.filter(pk=request.pk, overdue_flagged_at=None).update(
            overdue_flagged_at=now
        )
        if flagged:
            audit_record(
                actor=SYSTEM_ACTOR,
                action="privacy.deletion_request.overdue",
                target=request,
                after={"due_at": _iso(request.due_at), "flagged_at": _iso(now)},
            )
    return flagged


def _iso(moment: datetime) -> str:
    return moment.isoformat()
