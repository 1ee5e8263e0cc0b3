"""Outcomes: equal windows before and after the change, measured at +7 and +14 days."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from integrations.models import CampaignDay, Connection, SearchDay, SearchProperty
from proposals.models import Proposal, ProposalKind, ProposalSource, ProposalStatus
from proposals.outcomes import outcomes_measure, outcomes_schedule
from proposals.selectors import agent_roi
from proposals.tasks import outcomes_measure_task
from tests.catalog.factories import campaign_make

pytestmark = pytest.mark.django_db

CHANGED = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)
URL = "https://fluxengineering.example/shop/gear-clock"


def executed(**target: object) -> Proposal:
    return Proposal.objects.create(
        kind=ProposalKind.BUDGET if "campaign" in target else ProposalKind.PAGE_CONTENT,
        status=ProposalStatus.EXECUTED, platform="meta", target_label="t", field="x",
        current_value=1, proposed_value=2, rationale="r", confidence=Decimal("0.5"),
        source=ProposalSource.MANUAL, payload_hash="h", **target,
    )  # fmt: skip


def day(offset: int) -> date:
    return CHANGED.date() + timedelta(days=offset)


def test_a_campaign_is_compared_over_equal_windows_either_side_of_the_change_day() -> None:
    campaign = campaign_make("Gear Clock Prospecting", daily_budget=10_000)
    for offset in range(-20, 21):
        conversions = 2 if offset < 0 else 3
        CampaignDay.objects.create(
            campaign=campaign, day=day(offset), clicks=10, spend_micros=50_000_000,
            conversions=conversions if offset else 100,  # the change day is left out
        )  # fmt: skip
    proposal = executed(campaign=campaign)
    outcomes_schedule(proposal=proposal, changed_at=CHANGED)

    assert outcomes_measure(now=CHANGED + timedelta(days=7)) == 0  # day +7 is not over yet
    assert outcomes_measure(now=CHANGED + timedelta(days=8)) == 1
    week = proposal.outcomes.get(horizon_days=7)
    assert (week.before["start"], week.before["end"]) == ("2026-09-24", "2026-09-30")
    assert (week.after["start"], week.after["end"]) == ("2026-10-02", "2026-10-08")
    assert Decimal(week.before["conversions"]) == 14
    assert Decimal(week.after["conversions"]) == 21
    assert week.delta["conversions"]["pct"] == "50.0"
    assert week.delta["spend_micros"]["pct"] == "0.0"
    assert proposal.outcomes.get(horizon_days=14).measured_at is None

    assert outcomes_measure(now=CHANGED + timedelta(days=15)) == 1
    assert Decimal(proposal.outcomes.get(horizon_days=14).after["conversions"]) == 42


def test_a_page_is_measured_on_its_search_clicks_and_shows_on_the_roi_page(
    client: Client, viewer: User
) -> None:
    connection = Connection.objects.create(provider="search_console", external_account_id="sc")
    prop = SearchProperty.objects.create(connection=connection, site_url="sc-domain:flux")
    for offset in (-3, -2, 2, 3):
        SearchDay.objects.create(
            search_property=prop, day=day(offset), query="gear clock", page=URL, country="usa",
            device="DESKTOP", row_key=f"k{offset}", clicks=10 if offset < 0 else 15,
            impressions=100, position=8.0 if offset < 0 else 5.0,
        )  # fmt: skip
    proposal = executed(page_url=URL)
    outcomes_schedule(proposal=proposal, changed_at=CHANGED)
    outcomes_measure_task.apply(kwargs={}).get()  # due long ago: both horizons
    week = proposal.outcomes.get(horizon_days=7)
    assert (week.before["clicks"], week.after["clicks"]) == ("20", "30")
    assert (week.before["position"], week.after["position"]) == ("8.00", "5.00")
    [row] = agent_roi()
    assert row.mean_change_pct == Decimal("50.0")
    client.force_login(viewer)
    assert "50.0%" in client.get("/proposals/roi/").content.decode()
    assert "+7 days" in client.get(f"/proposals/{proposal.pk}/").content.decode()
