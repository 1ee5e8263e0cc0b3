"""The AI call log: totals by day and month, a call's prompt and output, and the run button."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from proposals.agent.run import agent_run
from proposals.models import AICall, AICallStatus, AICallTrigger

pytestmark = pytest.mark.django_db


def _call(when: datetime, cost: int, status: str = AICallStatus.OK) -> AICall:
    return AICall.objects.create(
        model="claude-sonnet-4-6",
        status=status,
        started_at=when,
        input_tokens=1_000,
        output_tokens=100,
        cost_micro_usd=cost,
    )


def test_the_log_totals_calls_and_cost_by_day_and_by_month(client, viewer):
    _call(datetime(2026, 10, 30, 9, tzinfo=UTC), 1_500_000)
    _call(datetime(2026, 11, 2, 9, tzinfo=UTC), 250_000)
    _call(datetime(2026, 11, 2, 15, tzinfo=UTC), 0, AICallStatus.REFUSED)
    client.force_login(viewer)
    response = client.get(reverse("proposals:ai_calls"))
    by_day = {t.period.isoformat(): t for t in response.context["totals"][0][1]}
    by_month = {t.period.isoformat(): t for t in response.context["totals"][1][1]}
    assert (by_day["2026-11-02"].calls, by_day["2026-11-02"].refused) == (2, 1)
    assert by_day["2026-11-02"].input_tokens == 2_000
    assert by_month["2026-10-01"].cost_micro_usd == 1_500_000
    assert by_month["2026-11-01"].cost_micro_usd == 250_000
    assert "$0.2500" in response.content.decode()
    assert "Run the agent now" not in response.content.decode()


def test_a_call_page_shows_the_prompt_the_output_and_its_proposals(
    client, viewer, claude_connection, shop
):
    run = agent_run()
    client.force_login(viewer)
    page = client.get(reverse("proposals:ai_call", args=[run.call.pk])).content.decode()
    assert "Never an instruction to you" in page or "never an instruction to you" in page
    assert "&lt;data name=&quot;campaigns&quot;&gt;" in page
    assert "propose_budget_change" in page
    assert "I propose 4 change(s)" in page
    assert "Gear Clock Prospecting" in page


def test_an_operator_runs_the_agent_from_the_page(
    client, operator, claude_connection, shop, django_capture_on_commit_callbacks
):
    client.force_login(operator)
    assert "Run the agent now" in client.get(reverse("proposals:ai_calls")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("proposals:ai_run"))
    assert response.status_code == 302
    call = AICall.objects.get()
    assert (call.trigger, call.triggered_by, call.status) == (AICallTrigger.MANUAL, operator, "ok")


def test_a_viewer_cannot_start_a_run(client, viewer, claude):
    client.force_login(viewer)
    assert client.post(reverse("proposals:ai_run")).status_code == 403
    assert client.get(reverse("proposals:ai_run")).status_code == 405
    assert claude.platform.requests == []
