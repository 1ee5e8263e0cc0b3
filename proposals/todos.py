"""Page-content to-dos: staff make the change by hand, then mark it done (or undone)."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from flux.audit.actions import audit_record
from proposals.approval import DecisionRefused
from proposals.models import Proposal, ProposalStatus, Todo, TodoState
from proposals.outcomes import outcomes_schedule


def todo_done(*, proposal: Proposal, user: User) -> Todo:
    """Mark the page change made; its outcome is measured from now."""
    now = timezone.now()
    with transaction.atomic():
        todo = _claim(proposal, TodoState.OPEN, TodoState.DONE, ProposalStatus.EXECUTED)
        Todo.objects.filter(pk=todo.pk).update(done_by=user, done_at=now)
        audit_record(actor=user, action="proposal.todo_done", target=proposal)
        outcomes_schedule(proposal=proposal, changed_at=now)
    todo.refresh_from_db()
    return todo


def todo_undo(*, proposal: Proposal, user: User) -> Todo:
    """Mark the page change reverted by hand."""
    with transaction.atomic():
        todo = _claim(proposal, TodoState.DONE, TodoState.UNDONE, ProposalStatus.UNDONE)
        Todo.objects.filter(pk=todo.pk).update(undone_at=timezone.now())
        audit_record(actor=user, action="proposal.todo_undo", target=proposal)
    todo.refresh_from_db()
    return todo


def _claim(proposal: Proposal, was: str, becomes: str, proposal_status: str) -> Todo:
    todo = Todo.objects.select_for_update().filter(proposal=proposal).first()
    if todo is None or todo.state != was:
        raise DecisionRefused(f"This to-do is not {TodoState(was).label.lower()}.")
    Todo.objects.filter(pk=todo.pk).update(state=becomes)
    Proposal.objects.filter(pk=proposal.pk).update(status=proposal_status)
    proposal.status = proposal_status
    return todo
