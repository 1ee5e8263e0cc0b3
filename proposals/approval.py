"""Approve or reject a proposal: bound to its payload hash, never by its own author, audited."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from flux.audit.actions import audit_record
from proposals.creation import payload_hash
from proposals.models import (
    Approval,
    Decision,
    Guardrails,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Todo,
)


class DecisionRefused(Exception):
    """The decision may not be taken; the message says why, for the person who tried."""


def proposal_approve(*, proposal: Proposal, user: User, note: str = "") -> Approval:
    """Approve a pending proposal; campaign changes start executing, page changes become to-dos."""
    approval = _decide(proposal=proposal, user=user, note=note, decision=Decision.APPROVED)
    if proposal.kind == ProposalKind.PAGE_CONTENT:
        _todo_open(proposal)
    elif proposal.is_campaign_change:
        from proposals.execution import execution_request  # execution imports approval's checks

        execution_request(approval=approval, user=user)
    return approval


def proposal_reject(*, proposal: Proposal, user: User, note: str = "") -> Approval:
    """Reject a pending (or blocked) proposal with a note."""
    return _decide(proposal=proposal, user=user, note=note, decision=Decision.REJECTED)


def payload_unchanged(proposal: Proposal, approval: Approval | None = None) -> bool:
    """Say whether the proposal still has the payload it was made (and approved) with."""
    now_hash = payload_hash(proposal.payload())
    bound = approval.payload_hash if approval is not None else proposal.payload_hash
    return now_hash == proposal.payload_hash == bound


def _decide(*, proposal: Proposal, user: User, note: str, decision: str) -> Approval:
    _check_decidable(proposal, user, decision)
    now = timezone.now()
    hours = Guardrails.current().approval_expiry_hours
    to_status = (
        ProposalStatus.APPROVED if decision == Decision.APPROVED else ProposalStatus.REJECTED
    )
    allowed = [ProposalStatus.PENDING, ProposalStatus.BLOCKED]
    with transaction.atomic():
        claimed = Proposal.objects.filter(pk=proposal.pk, status__in=allowed).update(
            status=to_status, updated_at=now
        )
        if not claimed:
            raise DecisionRefused("Someone else decided this proposal first.")
        approval = Approval.objects.create(
            proposal=proposal,
            decision=decision,
            decided_by=user,
            note=note,
            payload_hash=proposal.payload_hash,
            decided_at=now,
            expires_at=now + timedelta(hours=hours),
        )
        audit_record(
            actor=user,
            action=f"proposal.{'approve' if decision == Decision.APPROVED else 'reject'}",
            target=proposal,
            before={"status": proposal.status},
            after={"status": to_status, "note": note, "payload_hash": proposal.payload_hash},
        )
    proposal.status = to_status
    return approval


def _check_decidable(proposal: Proposal, user: User, decision: str) -> None:
    if proposal.status not in (ProposalStatus.PENDING, ProposalStatus.BLOCKED):
        raise DecisionRefused(f"This proposal is {proposal.get_status_display().lower()}.")
    if decision == Decision.REJECTED:
        return  # anyone with the role may turn a proposal down, even a blocked one
    if proposal.status == ProposalStatus.BLOCKED:
        raise DecisionRefused(
            f"A blocked proposal can never be approved: {proposal.blocked_reason}"
        )
    if proposal.created_by_id is not None and proposal.created_by_id == user.pk:
        raise DecisionRefused("Whoever made a proposal cannot approve it.")
    if not payload_unchanged(proposal):
        raise DecisionRefused("The proposal changed after it was made; it cannot be approved.")


def _todo_open(proposal: Proposal) -> None:
    Todo.objects.create(proposal=proposal)
    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.TODO)
    proposal.status = ProposalStatus.TODO
