"""Every guardrail blocks what it should; a blocked proposal can never be approved."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from catalog.models import ProductCampaign
from integrations.models import Campaign, Connection, InventoryLevel
from proposals.approval import DecisionRefused, proposal_approve
from proposals.creation import proposal_create
from proposals.guardrails import ai_spend_cap_reached, ai_spend_this_month
from proposals.models import (
    AICall,
    Approval,
    Execution,
    ExecutionDirection,
    ExecutionStatus,
    Guardrails,
    Proposal,
    ProposalKind,
    ProposalSource,
    ProposalStatus,
)
from tests.catalog.factories import product_make, variant_make
from tests.proposals.factories import budget_proposal, campaign_with_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def rails() -> Guardrails:
    rails = Guardrails.current()
    rails.max_change_pct_per_action, rails.max_change_pct_per_day = 30, 40
    rails.min_daily_budget_minor, rails.max_daily_budget_minor = 1_000, 50_000
    rails.cooldown_hours, rails.min_data_days, rails.min_data_clicks = 12, 7, 100
    rails.low_stock_units = 5
    rails.save()
    return rails


@pytest.fixture
def author(make_user: Callable[[str, str], User]) -> User:
    return make_user("author", "operator")


def blocked_reason(proposal: Proposal) -> str:
    assert proposal.status == ProposalStatus.BLOCKED
    return proposal.blocked_reason


def test_a_change_within_every_guardrail_is_pending(rails: Guardrails, author: User) -> None:
    assert budget_proposal(campaign_with_data(), 12_000, by=author).status == "pending"


def test_a_protected_campaign_is_blocked(rails: Guardrails, author: User) -> None:
    campaign = campaign_with_data()
    rails.protected_campaigns.add(campaign)
    assert "protected" in blocked_reason(budget_proposal(campaign, 11_000, by=author))


def test_a_budget_under_the_minimum_is_blocked(rails: Guardrails, author: User) -> None:
    campaign = campaign_with_data(daily_budget=1_200)
    assert "minimum daily budget" in blocked_reason(budget_proposal(campaign, 900, by=author))


def test_a_budget_over_the_maximum_is_blocked(rails: Guardrails, author: User) -> None:
    campaign = campaign_with_data(daily_budget=45_000)
    assert "maximum daily budget" in blocked_reason(budget_proposal(campaign, 55_000, by=author))


def test_a_change_over_the_limit_per_action_is_blocked(rails: Guardrails, author: User) -> None:
    reason = blocked_reason(budget_proposal(campaign_with_data(), 13_500, by=author))
    assert "35% change is over the 30% limit per action" in reason


def executed_change(campaign: Campaign, before: int, after: int, *, hours_ago: float) -> None:
    """Record a budget change that an execution made `hours_ago`."""
    proposal = Proposal.objects.create(
        kind=ProposalKind.BUDGET, status=ProposalStatus.EXECUTED, platform="meta",
        campaign=campaign, target_label=campaign.name, field="daily_budget",
        current_value=before, proposed_value=after, rationale="earlier", confidence=0.5,
        source=ProposalSource.MANUAL, payload_hash="x",
    )  # fmt: skip
    when = timezone.now() - timedelta(hours=hours_ago)
    approver = User.objects.create(username=f"approver-{proposal.pk}")
    approval = Approval.objects.create(
        proposal=proposal, decision="approved", decided_by=approver, payload_hash="x",
        decided_at=when, expires_at=when + timedelta(hours=24),
    )  # fmt: skip
    Execution.objects.create(
        proposal=proposal, approval=approval, direction=ExecutionDirection.FORWARD,
        idempotency_key=f"k-{proposal.pk}", expected_value=before, target_value=after,
        status=ExecutionStatus.SUCCEEDED, finished_at=when,
    )  # fmt: skip


def test_changes_adding_up_over_the_24_hour_limit_are_blocked(
    rails: Guardrails, author: User
) -> None:
    campaign = campaign_with_data(daily_budget=12_500)
    executed_change(campaign, 10_000, 12_500, hours_ago=20)  # +25%, and out of the cooldown
    reason = blocked_reason(budget_proposal(campaign, 15_000, by=author))  # +20% now, +50% in 24h
    assert "50%, over the 40% limit per 24 hours" in reason


def test_a_change_inside_the_cooldown_is_blocked(rails: Guardrails, author: User) -> None:
    campaign = campaign_with_data(daily_budget=10_500)
    executed_change(campaign, 10_000, 10_500, hours_ago=2)
    assert "cooldown until" in blocked_reason(budget_proposal(campaign, 11_000, by=author))


def test_a_change_after_the_cooldown_is_pending(rails: Guardrails, author: User) -> None:
    campaign = campaign_with_data(daily_budget=10_500)
    executed_change(campaign, 10_000, 10_500, hours_ago=30)
    assert budget_proposal(campaign, 11_000, by=author).status == ProposalStatus.PENDING


def test_too_little_data_is_blocked(rails: Guardrails, author: User) -> None:
    campaign = campaign_with_data(days=3)
    assert "Not enough data" in blocked_reason(budget_proposal(campaign, 11_000, by=author))


def test_too_few_clicks_is_blocked(rails: Guardrails, author: User) -> None:
    campaign = campaign_with_data(clicks=2)
    assert "Not enough data" in blocked_reason(budget_proposal(campaign, 11_000, by=author))


def low_stock_campaign(quantity: int) -> Campaign:
    campaign = campaign_with_data()
    product = product_make("Gear Clock")
    variant_make(product, "GC-1")
    ProductCampaign.objects.create(product=product, campaign=campaign)
    connection = Connection.objects.create(provider="squarespace", external_account_id="s")
    InventoryLevel.objects.create(
        connection=connection, variant_id="v1", sku="GC-1", quantity=quantity
    )
    return campaign


def test_scaling_up_a_campaign_whose_product_is_low_on_stock_is_blocked(
    rails: Guardrails, author: User
) -> None:
    reason = blocked_reason(budget_proposal(low_stock_campaign(3), 11_000, by=author))
    assert "stock is low or out: GC-1" in reason


def test_resuming_a_campaign_whose_product_is_out_of_stock_is_blocked(
    rails: Guardrails, author: User
) -> None:
    campaign = low_stock_campaign(0)
    proposal = proposal_create(
        kind=ProposalKind.RESUME, source=ProposalSource.MANUAL, campaign=campaign, field="status",
        current_value="PAUSED", proposed_value="ACTIVE", rationale="back in business",
        evidence={}, assumptions={}, expected_impact="", confidence=0.5, created_by=author,
    )  # fmt: skip
    assert "stock is low or out" in blocked_reason(proposal)


def test_cutting_the_budget_of_a_low_stock_campaign_is_allowed(
    rails: Guardrails, author: User
) -> None:
    assert budget_proposal(low_stock_campaign(3), 9_000, by=author).status == "pending"


def test_a_blocked_proposal_can_never_be_approved(
    rails: Guardrails, author: User, operator: User
) -> None:
    proposal = budget_proposal(campaign_with_data(), 50_000, by=author)
    with pytest.raises(DecisionRefused, match="never be approved"):
        proposal_approve(proposal=proposal, user=operator)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.BLOCKED
    assert not proposal.executions.exists()


def test_the_ai_spend_cap_is_reached_by_this_months_calls_only(rails: Guardrails) -> None:
    rails.ai_monthly_cap_micro_usd = 1_000_000
    rails.save()
    now = timezone.now()
    AICall.objects.create(model="m", status="ok", cost_micro_usd=900_000, started_at=now)
    AICall.objects.create(
        model="m", status="ok", cost_micro_usd=5_000_000, started_at=now - timedelta(days=40)
    )
    assert ai_spend_this_month() == 900_000
    assert not ai_spend_cap_reached()
    AICall.objects.create(model="m", status="ok", cost_micro_usd=100_000, started_at=now)
    assert ai_spend_cap_reached()
