"""Approve, execute and undo a Google Ads budget change and a pause against its gRPC sandbox."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from integrations.connections import connection_connect, connection_sync
from integrations.models import Campaign, Connection
from integrations.providers import registry
from proposals.approval import proposal_approve
from proposals.creation import proposal_create
from proposals.execution import proposal_undo
from proposals.models import Guardrails, ProposalKind, ProposalSource, ProposalStatus
from tests.integrations.google_ads.conftest import Ads, ads
from tests.proposals.factories import budget_proposal

pytestmark = pytest.mark.django_db
__all__ = ["ads"]


@pytest.fixture
def campaign(ads: Ads, loose_guardrails: Guardrails) -> Campaign:
    grant = registry.get("google_ads").connect_with_key(
        api_key=ads.google.issue_refresh_token(), account=ads.platform.customer_id
    )
    connection: Connection = connection_connect(provider="google_ads", grant=grant, actor="test")
    connection_sync(connection_id=connection.pk, streams=["campaigns"])
    return Campaign.objects.filter(status="ACTIVE", daily_budget__gt=0).order_by("pk")[0]


def test_a_google_budget_change_is_written_once_in_micros_and_undone(
    ads: Ads, campaign: Campaign, operator: User, make_user: Callable[[str, str], User],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    old = campaign.daily_budget or 0
    proposal = budget_proposal(campaign, old + 100, by=make_user("author", "operator"))
    with django_capture_on_commit_callbacks(execute=True):
        proposal_approve(proposal=proposal, user=operator)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.EXECUTED
    (write,) = ads.platform.writes
    assert json.loads(write.body)["operations"][0]["amount_micros"] == (old + 100) * 10_000
    with django_capture_on_commit_callbacks(execute=True):
        proposal_undo(proposal=proposal, user=operator)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.UNDONE
    assert (
        json.loads(ads.platform.writes[-1].body)["operations"][0]["amount_micros"] == old * 10_000
    )
    assert len(ads.platform.writes) == 2


def test_a_google_pause_sets_the_campaign_paused(
    ads: Ads, campaign: Campaign, operator: User, make_user: Callable[[str, str], User],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    proposal = proposal_create(
        kind=ProposalKind.PAUSE, source=ProposalSource.MANUAL, campaign=campaign, field="status",
        current_value="ACTIVE", proposed_value="PAUSED", rationale="CPA too high", evidence={},
        assumptions={}, expected_impact="Saves spend", confidence=0.5,
        created_by=make_user("author", "operator"),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        proposal_approve(proposal=proposal, user=operator)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.EXECUTED
    assert ads.platform.live.status[int(campaign.external_id)] == "PAUSED"
    assert [w.route for w in ads.platform.writes] == ["MutateCampaigns"]
