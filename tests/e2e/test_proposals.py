"""In a real browser: an operator approves a budget change, watches it execute, and undoes it.

The Meta sandbox is the platform. Queued executions are held back and then run by the test
(standing in for a worker), so the page is seen polling with htmx until each one finishes.
"""

from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from flux.accounts.roles import Role
from integrations.models import Campaign
from proposals import tasks
from proposals.execution import execution_run
from proposals.models import ProposalStatus
from tests.proposals.conftest import (  # noqa: F401 - fixtures
    Graph,
    graph,
    key_connection,
    loose_guardrails,
    meta_campaign,
)
from tests.proposals.factories import budget_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def role_groups(db: None) -> None:
    """Bring back the role groups a transactional test's flush removed."""
    for role in Role:
        Group.objects.get_or_create(name=role.group_name)


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Hold queued executions until the test runs them, as a worker would."""
    held: list[int] = []
    monkeypatch.setattr(tasks.execution_run_task, "delay", held.append)
    return held


def run_worker(held: list[int]) -> None:
    while held:
        execution_run(execution_id=held.pop(0))


def test_an_operator_approves_watches_the_execution_finish_and_undoes_it(
    browser_page: Any, sign_in: Any, live_server: Any, graph: Graph, meta_campaign: Campaign,  # noqa: F811
    operator: User, make_user: Any, queued: list[int], screenshot: Any,
) -> None:  # fmt: skip
    page = browser_page
    old = meta_campaign.daily_budget or 0
    proposal = budget_proposal(meta_campaign, old + 400, by=make_user("author", "operator"))
    sign_in(page, operator)
    page.goto(f"{live_server.url}/proposals/")
    page.click(f"a[href='/proposals/{proposal.pk}/']")
    screenshot(page, "proposal-pending")
    page.fill("#id_note", "CPA is fine; go")
    page.click("button:has-text('Approve')")
    status = page.locator("[data-testid=proposal-status]")
    assert status.inner_text() == "Executing"
    assert page.locator("#proposal-live[hx-trigger]").count() == 1  # polling

    run_worker(queued)
    status.filter(has_text="Executed").wait_for(timeout=10_000)  # swapped in by htmx
    assert page.locator("#proposal-live[hx-trigger]").count() == 0  # polling stopped
    assert [w.body for w in graph.platform.writes] == [f"daily_budget={old + 400}"]
    screenshot(page, "proposal-executed")

    page.click("button:has-text('Undo')")
    assert page.locator("[data-testid=proposal-status]").inner_text() == "Executing"
    run_worker(queued)
    page.locator("[data-testid=proposal-status]").filter(has_text="Undone").wait_for(timeout=10_000)
    screenshot(page, "proposal-undone")
    assert graph.platform.writes[-1].body == f"daily_budget={old}"
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.UNDONE
