"""Execute an approved campaign change (or its undo) safely, one recorded attempt at a time.

Every attempt re-reads the live value first. Already at the target: success, no write (this
is how a rerun after a worker died between the platform call and the record ends). Not at
the value the proposal saw: stale, nothing written. Otherwise the approval and guardrails
are checked again, the absolute target is written, read back and recorded.
"""

import os
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from flux.audit.actions import audit_record
from integrations.http import ProviderError
from proposals.approval import DecisionRefused, payload_unchanged
from proposals.guardrails import guardrail_violations, undo_violations
from proposals.models import (
    Approval,
    Decision,
    Execution,
    ExecutionAttempt,
    ExecutionDirection,
    ExecutionStatus,
    Proposal,
    ProposalStatus,
)
from proposals.outcomes import outcomes_schedule
from proposals.platforms import campaign_value_read, campaign_value_write

MAX_ATTEMPTS = 4
# What the proposal becomes when an execution ends, by direction and result.
PROPOSAL_AFTER = {
    (ExecutionDirection.FORWARD, ExecutionStatus.SUCCEEDED): ProposalStatus.EXECUTED,
    (ExecutionDirection.FORWARD, ExecutionStatus.STALE): ProposalStatus.STALE,
    (ExecutionDirection.FORWARD, ExecutionStatus.FAILED): ProposalStatus.FAILED,
    (ExecutionDirection.FORWARD, ExecutionStatus.REFUSED): ProposalStatus.FAILED,
    (ExecutionDirection.UNDO, ExecutionStatus.SUCCEEDED): ProposalStatus.UNDONE,
    (ExecutionDirection.UNDO, ExecutionStatus.STALE): ProposalStatus.EXECUTED,
    (ExecutionDirection.UNDO, ExecutionStatus.FAILED): ProposalStatus.EXECUTED,
    (ExecutionDirection.UNDO, ExecutionStatus.REFUSED): ProposalStatus.EXECUTED,
}


class RetryLater(Exception):
    """A transient platform error; the task should run the execution again later."""


def execution_request(*, approval: Approval, user: User | None) -> Execution:
    """Queue the forward execution of an approval, once: asking again returns the same one."""
    proposal = approval.proposal
    if approval.decision != Decision.APPROVED or not proposal.is_campaign_change:
        raise DecisionRefused("Only an approved campaign change can be executed.")
    execution, created = Execution.objects.get_or_create(
        idempotency_key=f"approval-{approval.pk}-forward",
        defaults={
            "proposal": proposal,
            "approval": approval,
            "direction": ExecutionDirection.FORWARD,
            "expected_value": proposal.current_value,
            "target_value": proposal.proposed_value,
            "requested_by": user,
        },
    )
    if created:
        _start(execution, user, ProposalStatus.EXECUTING, "proposal.execute")
    return execution


def proposal_undo(*, proposal: Proposal, user: User) -> Execution:
    """Queue the inverse execution: restore the prior value, through the same checks."""
    forward = _succeeded_forward(proposal)
    execution, created = Execution.objects.get_or_create(
        idempotency_key=f"approval-{forward.approval_id}-undo",
        defaults={
            "proposal": proposal,
            "approval": forward.approval,
            "direction": ExecutionDirection.UNDO,
            "expected_value": proposal.proposed_value,
            "target_value": proposal.current_value,
            "requested_by": user,
        },
    )
    if created:
        _start(execution, user, ProposalStatus.EXECUTING, "proposal.undo")
    return execution


def _succeeded_forward(proposal: Proposal) -> Execution:
    if proposal.status != ProposalStatus.EXECUTED:
        raise DecisionRefused("Only an executed proposal can be undone.")
    forward = proposal.executions.filter(
        direction=ExecutionDirection.FORWARD, status=ExecutionStatus.SUCCEEDED
    ).first()
    if forward is None:
        raise DecisionRefused("This proposal has no execution to undo.")
    return forward


def _start(execution: Execution, user: User | None, status: str, action: str) -> None:
    from proposals.tasks import execution_run_task  # tasks import this module

    Proposal.objects.filter(pk=execution.proposal_id).update(status=status)
    execution.proposal.status = status
    audit_record(
        actor=user,
        action=action,
        target=execution.proposal,
        after={"execution": execution.pk, "target_value": execution.target_value},
    )
    transaction.on_commit(lambda: execution_run_task.delay(execution.pk))


def execution_run(*, execution_id: int) -> Execution:
    """Run one attempt of an execution, unless it already finished."""
    claimed = Execution.objects.filter(
        pk=execution_id, status__in=[ExecutionStatus.QUEUED, ExecutionStatus.RUNNING]
    ).update(status=ExecutionStatus.RUNNING)
    execution = Execution.objects.select_related("proposal__campaign", "approval").get(
        pk=execution_id
    )
    if not claimed:
        return execution  # finished before: a second run writes nothing
    attempt = _attempt_open(execution)
    try:
        status = _attempt_run(execution, attempt)
    except ProviderError as error:
        status = _attempt_failed(execution, attempt, error)
    except Exception as error:  # record any other failure rather than retry it forever
        attempt.error = f"{type(error).__name__}: {error}"
        status = ExecutionStatus.FAILED
    _finish(execution, attempt, status)
    return execution


def _attempt_open(execution: Execution) -> ExecutionAttempt:
    """Close attempts a dead worker left open and record a new one before any call."""
    execution.attempts.filter(status=ExecutionStatus.RUNNING).update(
        status=ExecutionStatus.FAILED, error="The worker stopped before recording this attempt."
    )
    last = execution.attempts.aggregate(n=Max("number"))["n"] or 0
    return ExecutionAttempt.objects.create(
        execution=execution, number=last + 1, started_at=timezone.now()
    )


def _attempt_run(execution: Execution, attempt: ExecutionAttempt) -> str:
    proposal = execution.proposal
    assert proposal.campaign is not None  # noqa: S101 - only campaign changes are executed
    live = campaign_value_read(campaign=proposal.campaign, field=proposal.field)
    attempt.read_before = live
    if live == execution.target_value:
        attempt.read_after = live
        attempt.response = {"already_at_target": True}
        return ExecutionStatus.SUCCEEDED  # already there: a rerun records success, no write
    if live != execution.expected_value:
        attempt.error = f"The platform shows {live!r}, not {execution.expected_value!r}."
        return ExecutionStatus.STALE
    refusal = _refusal(execution)
    if refusal:
        attempt.error = refusal
        return ExecutionStatus.REFUSED
    _write(execution, attempt)
    return ExecutionStatus.SUCCEEDED


def _refusal(execution: Execution) -> str:
    """Return why the write may not happen now (empty: it may)."""
    proposal, approval = execution.proposal, execution.approval
    if not payload_unchanged(proposal, approval):
        return "The proposal changed after it was approved; the approval is void."
    if execution.direction == ExecutionDirection.UNDO:
        reasons = undo_violations(
            campaign=proposal.campaign, kind=proposal.kind, restore_value=execution.target_value
        )
        return " ".join(reasons)
    if approval.expires_at <= timezone.now():
        return f"The approval expired at {approval.expires_at:%Y-%m-%d %H:%M} UTC."
    reasons = guardrail_violations(
        kind=proposal.kind,
        campaign=proposal.campaign,
        current_value=proposal.current_value,
        proposed_value=proposal.proposed_value,
        exclude_proposal_id=proposal.pk,
    )
    return " ".join(reasons)


def _write(execution: Execution, attempt: ExecutionAttempt) -> None:
    proposal = execution.proposal
    assert proposal.campaign is not None  # noqa: S101 - checked by the caller
    attempt.request = {
        "platform": proposal.platform,
        "campaign": proposal.campaign.external_id,
        "field": proposal.field,
        "value": execution.target_value,
        "idempotency_key": execution.idempotency_key,
    }
    result = campaign_value_write(
        campaign=proposal.campaign, field=proposal.field, value=execution.target_value
    )
    _fault_pause_after_write()
    attempt.response = {"before": result.before, "after": result.after}
    attempt.response |= {"wrote": result.wrote, "response_id": result.response_id}
    attempt.read_after = result.after
    attempt.wrote = result.wrote


def _fault_pause_after_write() -> None:
    """Hold the worker between the platform call and the record (fault tests only)."""
    seconds = float(os.environ.get("FLUX_FAULT_PAUSE_AFTER_WRITE", "0") or 0)
    if seconds > 0 and settings.FLUX_FAULT_HOOKS:
        time.sleep(seconds)


def _attempt_failed(execution: Execution, attempt: ExecutionAttempt, error: ProviderError) -> str:
    attempt.error = str(error)
    if error.permanent or attempt.number >= MAX_ATTEMPTS:
        return ExecutionStatus.FAILED
    _finish_attempt(attempt, ExecutionStatus.FAILED)
    Execution.objects.filter(pk=execution.pk).update(status=ExecutionStatus.QUEUED)
    raise RetryLater(str(error)) from error


def _finish_attempt(attempt: ExecutionAttempt, status: str) -> datetime:
    now = timezone.now()
    attempt.status = status
    attempt.finished_at = now
    attempt.duration_ms = int((now - attempt.started_at).total_seconds() * 1000)
    attempt.save()
    return now


def _finish(execution: Execution, attempt: ExecutionAttempt, status: str) -> None:
    with transaction.atomic():
        now = _finish_attempt(attempt, status)
        wrote = execution.wrote or attempt.wrote
        Execution.objects.filter(pk=execution.pk).update(
            status=status, finished_at=now, wrote=wrote, error=attempt.error
        )
        proposal_status = PROPOSAL_AFTER[
            (ExecutionDirection(execution.direction), ExecutionStatus(status))
        ]
        Proposal.objects.filter(pk=execution.proposal_id).update(status=proposal_status)
        _after_finish(execution, status, now)
    execution.refresh_from_db()


def _after_finish(execution: Execution, status: str, now: datetime) -> None:
    proposal = execution.proposal
    audit_record(
        actor="proposals:execution",
        action=f"proposal.{execution.direction}.{status}",
        target=proposal,
        after=_audit_summary(execution, status),
    )
    if status == ExecutionStatus.SUCCEEDED and execution.direction == ExecutionDirection.FORWARD:
        outcomes_schedule(proposal=proposal, changed_at=now)


def _audit_summary(execution: Execution, status: str) -> dict[str, Any]:
    return {"execution": execution.pk, "status": status, "target_value": execution.target_value}
