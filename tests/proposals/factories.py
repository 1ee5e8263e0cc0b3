"""Builders for proposals tests: a campaign with enough data, and proposals on it."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User

from integrations.models import Campaign, CampaignDay
from proposals.creation import proposal_create
from proposals.models import Proposal, ProposalKind, ProposalSource
from tests.catalog.factories import campaign_make


def campaign_with_data(
    name: str = "Gear Clock Prospecting", *, days: int = 14, clicks: int = 40, **fields: Any
) -> Campaign:
    """Create a campaign with `days` days of metrics ending yesterday."""
    values: dict[str, Any] = {"daily_budget": 10_000, **fields}
    campaign = campaign_make(name, **values)
    today = datetime.now(UTC).date()
    CampaignDay.objects.bulk_create(
        CampaignDay(
            campaign=campaign,
            day=today - timedelta(days=offset),
            impressions=2_000,
            clicks=clicks,
            spend_micros=90_000_000,
            conversions=2,
            conversion_value_micros=180_000_000,
            settling=offset <= 3,
        )
        for offset in range(1, days + 1)
    )
    return campaign


def budget_proposal(
    campaign: Campaign, proposed: int, *, by: User, current: int | None = None, **extra: Any
) -> Proposal:
    """Create a manual budget proposal by `by`."""
    values: dict[str, Any] = {
        "kind": ProposalKind.BUDGET,
        "source": ProposalSource.MANUAL,
        "campaign": campaign,
        "field": "daily_budget",
        "current_value": campaign.daily_budget if current is None else current,
        "proposed_value": proposed,
        "rationale": "CPA is well under target; room to spend more.",
        "evidence": {"metrics": [{"name": "CPA", "window_days": 28, "value": "45.00"}]},
        "assumptions": {"attribution_window": "7-day click", "settling_days_left_out": 3},
        "expected_impact": "About two more purchases a day.",
        "confidence": 0.6,
        "created_by": by,
        **extra,
    }
    return proposal_create(**values)
