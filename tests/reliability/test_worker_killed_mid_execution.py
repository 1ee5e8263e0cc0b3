"""A real Celery worker (Redis, PostgreSQL) executes proposals against the Meta sandbox.

The sandbox runs in this process, so its record of writes is the platform's own count.
Tasks go to a queue only these workers listen on, so no other test's worker takes them.
A worker killed with SIGKILL between the platform write and its record leaves exactly one
write once the recovery has rerun it, and the proposal's page shows what happened.
"""

import os
import signal
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User

from integrations.models import Campaign
from proposals import tasks
from proposals.approval import proposal_approve
from proposals.execution import execution_request, proposal_undo
from proposals.models import Execution, ExecutionStatus, Proposal, ProposalStatus
from tests.child_processes import (
    celery_worker,
    child_database_url,
    enqueueing_for_real,
    wait_until,
)
from tests.proposals.conftest import Graph, graph, key_connection, loose_guardrails, meta_campaign
from tests.proposals.factories import budget_proposal
from tests.reliability.pages import element_text, staff_page

__all__ = ["graph", "key_connection", "loose_guardrails", "meta_campaign"]
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Send execution tasks to a fresh queue, for real (not in-process)."""
    name = f"proposals-{uuid.uuid4().hex[:8]}"
    task = tasks.execution_run_task
    monkeypatch.setattr(task, "delay", lambda *args: task.apply_async(args, queue=name))
    with enqueueing_for_real():
        yield name


@pytest.fixture
def worker_env(graph: Graph, settings: Any) -> dict[str, str]:
    return {
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "META_GRAPH_URL": graph.url,
    }


def writes(graph: Graph) -> list[str]:
    return [w.body for w in graph.platform.writes]


def live_budget(graph: Graph, campaign: Campaign) -> int:
    found = graph.brand.campaign(campaign.external_id)
    assert found is not None
    return int(graph.platform.campaign_json(found)["daily_budget"])


def finished(execution_id: int) -> Callable[[], bool]:
    return lambda: Execution.objects.get(pk=execution_id).is_finished


def approved(campaign: Campaign, target: int, operator: User, author: User) -> Proposal:
    proposal = budget_proposal(campaign, target, by=author)
    proposal_approve(proposal=proposal, user=operator, note="worker test")
    return proposal


def test_a_worker_executes_once_undoes_and_a_second_execute_writes_nothing(
    graph: Graph, meta_campaign: Campaign, queue: str, worker_env: dict[str, str],
    operator: User, make_user: Any,
) -> None:  # fmt: skip
    old = live_budget(graph, meta_campaign)
    with celery_worker(queue, worker_env):
        proposal = approved(meta_campaign, old + 500, operator, make_user("author", "operator"))
        forward = proposal.executions.get()
        wait_until(finished(forward.pk), seconds=180, what="the execution")
        assert writes(graph) == [f"daily_budget={old + 500}"]
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.EXECUTED

        again = execution_request(approval=forward.approval, user=operator)
        tasks.execution_run_task.delay(again.pk)  # the same approval, run once more
        undo = proposal_undo(proposal=proposal, user=operator)  # queued behind it
        wait_until(finished(undo.pk), seconds=180, what="the undo")

    assert again.pk == forward.pk
    assert forward.attempts.count() == 1
    assert writes(graph) == [f"daily_budget={old + 500}", f"daily_budget={old}"]
    assert live_budget(graph, meta_campaign) == old
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.UNDONE


def test_a_worker_killed_between_the_write_and_the_record_leaves_exactly_one_write(
    graph: Graph, meta_campaign: Campaign, queue: str, worker_env: dict[str, str],
    operator: User, make_user: Any, settings: Any, viewer: User,
) -> None:  # fmt: skip
    old = live_budget(graph, meta_campaign)
    dying = {**worker_env, "FLUX_FAULT_HOOKS": "1", "FLUX_FAULT_PAUSE_AFTER_WRITE": "120"}
    with celery_worker(queue, dying) as first:
        proposal = approved(meta_campaign, old + 300, operator, make_user("author", "operator"))
        wait_until(lambda: len(graph.platform.writes) == 1, seconds=180, what="the write")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    execution = proposal.executions.get()
    assert execution.status == ExecutionStatus.RUNNING  # nobody was left to record it
    assert execution.attempts.get().response == {}

    settings.FLUX_EXECUTION_RECOVER_MINUTES = 0
    with celery_worker(queue, worker_env):
        assert tasks.executions_recover_task() == 1
        wait_until(finished(execution.pk), seconds=180, what="the rerun")

    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.SUCCEEDED
    assert writes(graph) == [f"daily_budget={old + 300}"]  # exactly one write
    dead, rerun = execution.attempts.order_by("number")
    assert dead.status == ExecutionStatus.FAILED
    assert (rerun.status, rerun.wrote, rerun.response) == (
        ExecutionStatus.SUCCEEDED, False, {"already_at_target": True},
    )  # fmt: skip
    page = staff_page(viewer, f"/proposals/{proposal.pk}/")
    assert element_text(page, "data-testid", "proposal-status") == "Executed"
    assert element_text(page, "data-testid", "execution-status") == "Succeeded"
    assert "The worker stopped before recording this attempt." in page
