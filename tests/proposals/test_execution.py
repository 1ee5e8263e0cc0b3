"""Approve, execute and undo campaign changes against the Meta sandbox, in-process."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from integrations.models import Campaign
from proposals.approval import DecisionRefused, proposal_approve
from proposals.execution import execution_request, execution_run, proposal_undo
from proposals.models import (
    ExecutionStatus,
    Outcome,
    Proposal,
    ProposalKind,
    ProposalSource,
    ProposalStatus,
)
from tests.proposals.conftest import Graph
from tests.proposals.factories import budget_proposal

pytestmark = pytest.mark.django_db

Capture = Callable[..., object]


def budget_writes(graph: Graph) -> list[str]:
    return [w.body for w in graph.platform.writes]


def live_budget(graph: Graph, campaign: Campaign) -> int:
    found = graph.brand.campaign(campaign.external_id)
    assert found is not None
    return int(graph.platform.campaign_json(found)["daily_budget"])


def test_an_approved_budget_change_writes_once_and_undo_restores_it(
    graph: Graph,
    meta_campaign: Campaign,
    operator: User,
    make_user,
    django_capture_on_commit_callbacks,
) -> None:
    old = live_budget(graph, meta_campaign)
    proposal = budget_proposal(meta_campaign, old + 1000, by=make_user("author", "operator"))
    with django_capture_on_commit_callbacks(execute=True):
        approval = proposal_approve(proposal=proposal, user=operator, note="looks right")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.EXECUTED
    assert budget_writes(graph) == [f"daily_budget={old + 1000}"]
    assert Outcome.objects.filter(proposal=proposal).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        again = execution_request(approval=approval, user=operator)
    assert execution_run(execution_id=again.pk).status == ExecutionStatus.SUCCEEDED
    assert budget_writes(graph) == [
        f"daily_budget={old + 1000}"
    ]  # the second execute wrote nothing

    with django_capture_on_commit_callbacks(execute=True):
        undo = proposal_undo(proposal=proposal, user=operator)
    undo.refresh_from_db()
    proposal.refresh_from_db()
    assert (undo.status, proposal.status) == (ExecutionStatus.SUCCEEDED, ProposalStatus.UNDONE)
    assert live_budget(graph, meta_campaign) == old
    assert budget_writes(graph) == [f"daily_budget={old + 1000}", f"daily_budget={old}"]


def test_a_platform_value_that_drifted_makes_the_proposal_stale_and_writes_nothing(
    graph: Graph,
    meta_campaign: Campaign,
    operator: User,
    make_user,
    django_capture_on_commit_callbacks,
) -> None:
    old = live_budget(graph, meta_campaign)
    proposal = budget_proposal(
        meta_campaign, old + 500, by=make_user("author", "operator"), current=old - 100
    )
    with django_capture_on_commit_callbacks(execute=True):
        proposal_approve(proposal=proposal, user=operator)
    proposal.refresh_from_db()
    execution = proposal.executions.get()
    assert proposal.status == ProposalStatus.STALE
    assert execution.status == ExecutionStatus.STALE
    assert execution.attempts.get().read_before == old
    assert budget_writes(graph) == []


def approved_but_not_run(
    meta_campaign: Campaign, graph: Graph, operator: User, author: User
) -> Proposal:
    """Approve a proposal without letting its execution start yet."""
    proposal = budget_proposal(meta_campaign, live_budget(graph, meta_campaign) + 700, by=author)
    proposal_approve(proposal=proposal, user=operator)  # on-commit callbacks are not run
    return proposal


def test_an_expired_approval_is_refused_and_writes_nothing(
    graph: Graph, meta_campaign: Campaign, operator: User, make_user
) -> None:
    proposal = approved_but_not_run(meta_campaign, graph, operator, make_user("author", "operator"))
    proposal.approvals.update(expires_at=timezone.now() - timedelta(minutes=1))
    execution = execution_run(execution_id=proposal.executions.get().pk)
    assert execution.status == ExecutionStatus.REFUSED
    assert "expired" in execution.error
    assert budget_writes(graph) == []


def test_a_payload_changed_after_approval_voids_it(
    graph: Graph, meta_campaign: Campaign, operator: User, make_user
) -> None:
    proposal = approved_but_not_run(meta_campaign, graph, operator, make_user("author", "operator"))
    Proposal.objects.filter(pk=proposal.pk).update(proposed_value=proposal.proposed_value + 1)
    execution = execution_run(execution_id=proposal.executions.get().pk)
    assert execution.status == ExecutionStatus.REFUSED
    assert "changed" in execution.error
    assert budget_writes(graph) == []


def test_a_changed_payload_cannot_be_approved(
    meta_campaign: Campaign, operator: User, make_user
) -> None:
    proposal = budget_proposal(
        meta_campaign, (meta_campaign.daily_budget or 0) + 100, by=make_user("author", "operator")
    )
    Proposal.objects.filter(pk=proposal.pk).update(rationale="something else")
    proposal.refresh_from_db()
    with pytest.raises(DecisionRefused, match="changed"):
        proposal_approve(proposal=proposal, user=operator)


def test_whoever_made_a_manual_proposal_cannot_approve_it(
    meta_campaign: Campaign, operator: User
) -> None:
    proposal = budget_proposal(meta_campaign, (meta_campaign.daily_budget or 0) + 100, by=operator)
    with pytest.raises(DecisionRefused, match="cannot approve"):
        proposal_approve(proposal=proposal, user=operator)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_pausing_through_a_proposal_writes_the_status(
    graph: Graph,
    meta_campaign: Campaign,
    operator: User,
    make_user,
    django_capture_on_commit_callbacks,
) -> None:
    from proposals.creation import proposal_create

    proposal = proposal_create(
        kind=ProposalKind.PAUSE, source=ProposalSource.MANUAL, campaign=meta_campaign,
        field="status", current_value="ACTIVE", proposed_value="PAUSED", rationale="CPA too high",
        evidence={}, assumptions={}, expected_impact="Saves spend", confidence=0.5,
        created_by=make_user("author", "operator"),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        proposal_approve(proposal=proposal, user=operator)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.EXECUTED
    assert budget_writes(graph) == ["status=PAUSED"]


def test_an_execution_whose_connection_is_gone_fails_with_the_reason_recorded(
    graph: Graph, meta_campaign: Campaign, operator: User, make_user: Any
) -> None:
    proposal = approved_but_not_run(meta_campaign, graph, operator, make_user("author", "operator"))
    meta_campaign.ad_account.connection.credential = None
    meta_campaign.ad_account.connection.save()
    execution = execution_run(execution_id=proposal.executions.get().pk)
    proposal.refresh_from_db()
    assert (execution.status, proposal.status) == (ExecutionStatus.FAILED, ProposalStatus.FAILED)
    assert "credential" in execution.error
    assert execution.attempts.get().status == ExecutionStatus.FAILED
    assert budget_writes(graph) == []
