"""Campaign actions set absolute values, read back, and write once however often they run."""

import pytest
from django.db.models import Sum

from integrations.connections import connection_sync
from integrations.meta.actions import (
    campaign_set_daily_budget,
    campaign_set_status,
    connection_token_check,
    token_expires_soon,
)
from integrations.models import Campaign, Connection
from tests.integrations.meta.conftest import Graph

pytestmark = pytest.mark.django_db


def active_campaign(graph: Graph) -> str:
    campaign = next(c for c in graph.brand.campaigns_of(graph.usd) if c.status == "ACTIVE")
    return campaign.campaign_id


def test_pausing_twice_writes_once_and_resuming_writes_again(
    graph: Graph, key_connection: Connection
):
    connection_sync(connection_id=key_connection.pk, streams=["campaigns"])
    campaign_id = active_campaign(graph)
    first = campaign_set_status(
        connection=key_connection, campaign_external_id=campaign_id, status="PAUSED"
    )
    second = campaign_set_status(
        connection=key_connection, campaign_external_id=campaign_id, status="PAUSED"
    )
    assert (first.before, first.after, first.wrote) == ("ACTIVE", "PAUSED", True)
    assert (second.before, second.after, second.wrote) == ("PAUSED", "PAUSED", False)
    assert [w.body for w in graph.platform.writes] == ["status=PAUSED"]
    assert Campaign.objects.get(external_id=campaign_id).status == "PAUSED"
    campaign_set_status(
        connection=key_connection, campaign_external_id=campaign_id, status="ACTIVE"
    )
    assert [w.body for w in graph.platform.writes] == ["status=PAUSED", "status=ACTIVE"]
    assert graph.platform.campaign_json(graph.brand.campaign(campaign_id))["status"] == "ACTIVE"  # type: ignore[arg-type]


def test_a_budget_change_sets_exactly_the_asked_minor_units_once(
    graph: Graph, key_connection: Connection
):
    campaign_id = next(
        c.campaign_id for c in graph.brand.campaigns_of(graph.usd) if c.daily_budget is not None
    )
    for _ in range(2):
        change = campaign_set_daily_budget(
            connection=key_connection, campaign_external_id=campaign_id, daily_budget_minor=7500
        )
        assert change.after == "7500"
    assert [w.body for w in graph.platform.writes] == ["daily_budget=7500"]
    assert [w.route for w in graph.platform.writes] == ["campaign_update"]
    assert not Campaign.objects.aggregate(n=Sum("daily_budget"))["n"]  # nothing synced yet


def test_only_active_and_paused_can_be_set(graph: Graph, key_connection: Connection):
    with pytest.raises(ValueError, match="status must be"):
        campaign_set_status(
            connection=key_connection, campaign_external_id=active_campaign(graph), status="DELETED"
        )
    assert graph.platform.writes == []


def test_the_token_check_stores_no_expiry_for_a_system_user(
    graph: Graph, key_connection: Connection
):
    info = connection_token_check(connection=key_connection)
    key_connection.refresh_from_db()
    assert info.is_valid
    assert key_connection.token_expires_at is None
    assert not token_expires_soon(key_connection)
