"""Proposal pages: who may read, decide and edit; the queue's filters; the guardrails audit."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dashboards.selectors import alerts
from flux.audit.models import AuditEvent
from proposals.creation import proposal_create
from proposals.models import Guardrails, Proposal, ProposalKind, ProposalSource, ProposalStatus
from proposals.selectors import pending_count
from tests.proposals.factories import budget_proposal, campaign_with_data

pytestmark = pytest.mark.django_db


def page_proposal(author: User) -> Proposal:
    return proposal_create(
        kind=ProposalKind.PAGE_CONTENT, source=ProposalSource.MANUAL,
        page_url="https://fluxengineering.example/shop/gear-clock", field="title",
        current_value="Gear Clock", proposed_value="Gear Clock: a kinetic desk clock",
        rationale="Position 8 for 'kinetic desk clock' with 4,000 impressions.",
        evidence={}, assumptions={}, expected_impact="More clicks", confidence=0.4,
        created_by=author,
    )  # fmt: skip


def test_a_viewer_reads_the_queue_and_a_proposal_but_cannot_approve(
    client: Client, viewer: User, operator: User
) -> None:
    proposal = page_proposal(operator)
    client.force_login(viewer)
    assert client.get("/proposals/").status_code == 200
    page = client.get(f"/proposals/{proposal.pk}/")
    assert "Gear Clock: a kinetic desk clock" in page.content.decode()
    assert "Approve" not in page.content.decode()
    assert client.post(f"/proposals/{proposal.pk}/approve/").status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_approving_a_page_change_opens_a_to_do_that_staff_mark_done_and_undone(
    client: Client, operator: User, make_user
) -> None:
    proposal = page_proposal(make_user("author", "operator"))
    client.force_login(operator)
    client.post(f"/proposals/{proposal.pk}/approve/", {"note": "go"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.todo.state) == (ProposalStatus.TODO, "open")
    client.post(f"/proposals/{proposal.pk}/todo/done/")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.todo.state) == (ProposalStatus.EXECUTED, "done")
    assert proposal.outcomes.count() == 2
    client.post(f"/proposals/{proposal.pk}/todo/undone/")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.todo.state) == (ProposalStatus.UNDONE, "undone")
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["proposal.approve", "proposal.todo_done", "proposal.todo_undo"]


def test_self_approval_through_the_page_is_refused(client: Client, operator: User) -> None:
    proposal = page_proposal(operator)
    client.force_login(operator)
    response = client.post(f"/proposals/{proposal.pk}/approve/", follow=True)
    assert "cannot approve" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_a_rejection_keeps_its_note(client: Client, operator: User, make_user) -> None:
    proposal = page_proposal(make_user("author", "operator"))
    client.force_login(operator)
    client.post(f"/proposals/{proposal.pk}/reject/", {"note": "off brand"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    assert proposal.approvals.get().note == "off brand"


def test_the_queue_filters_by_kind_status_and_source(
    client: Client, viewer: User, operator: User
) -> None:
    page_proposal(operator)
    budget_proposal(campaign_with_data(), 10_500, by=operator)
    client.force_login(viewer)
    body = client.get("/proposals/?kind=page_content&status=pending&source=manual").content
    assert b"kinetic desk clock" in body
    assert b"Gear Clock Prospecting" not in body
    assert pending_count() == 2
    assert alerts.pending_proposals() == 2  # the overview's alert


def test_only_an_admin_changes_the_guardrails_and_the_change_is_audited(
    client: Client, operator: User, admin_user: User
) -> None:
    campaign = campaign_with_data()
    form = {
        "max_change_pct_per_action": 20, "max_change_pct_per_day": 30,
        "min_daily_budget_minor": 1000, "max_daily_budget_minor": 90000, "cooldown_hours": 24,
        "min_data_days": 7, "min_data_clicks": 50, "protected_campaigns": [campaign.pk],
        "low_stock_units": 5, "ai_monthly_cap_micro_usd": 20_000_000, "approval_expiry_hours": 12,
    }  # fmt: skip
    client.force_login(operator)
    assert client.post("/proposals/guardrails/", form).status_code == 403
    client.force_login(admin_user)
    assert client.post("/proposals/guardrails/", form).status_code == 302
    rails = Guardrails.current()
    assert rails.max_change_pct_per_action == 20
    assert list(rails.protected_campaigns.all()) == [campaign]
    event = AuditEvent.objects.get(action="guardrails.update")
    assert event.before is not None
    assert event.after is not None
    assert event.after["max_change_pct_per_action"] == 20
    assert event.after["protected_campaigns"] == [campaign.pk]
    assert "approval_expiry_hours" in event.before


def test_the_roi_page_shows_approval_rate_per_kind_and_source(
    client: Client, viewer: User, operator: User, make_user
) -> None:
    author = make_user("author", "operator")
    for _ in range(2):
        page_proposal(author)
    first, second = Proposal.objects.order_by("pk")
    client.force_login(operator)
    client.post(f"/proposals/{first.pk}/approve/")
    client.post(f"/proposals/{second.pk}/reject/")
    client.force_login(viewer)
    body = client.get("/proposals/roi/").content.decode()
    assert "Page-content change" in body
    assert "50.0%" in body


@pytest.mark.parametrize(
    "series",
    [{"CPA": [40, 42]}, [{"name": "CPA", "data": [40, 42]}]],
    ids=["by-name", "as-list"],
)
def test_the_evidence_chart_is_drawn_from_either_series_shape(
    client: Client, viewer: User, operator: User, series: object
) -> None:
    chart = {"labels": ["2026-11-01", "2026-11-02"], "series": series}
    proposal = budget_proposal(campaign_with_data(), 10_500, by=operator, evidence={"chart": chart})
    client.force_login(viewer)
    body = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert 'data-chart="evidence-chart"' in body
    assert '"label": "CPA", "data": [40, 42]' in body
