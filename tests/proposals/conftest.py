"""Proposals fixtures: the Meta sandbox with its campaigns synced, and loose guardrails."""

import pytest

from integrations.connections import connection_sync
from integrations.models import Campaign, Connection
from proposals.models import Guardrails
from tests.integrations.meta.conftest import Graph, graph, key_connection

__all__ = ["Graph", "graph", "key_connection"]


@pytest.fixture
def loose_guardrails(db: None) -> Guardrails:
    """Guardrails that only the test at hand tightens."""
    rails = Guardrails.current()
    rails.min_data_days = rails.min_data_clicks = rails.cooldown_hours = 0
    rails.max_change_pct_per_action = rails.max_change_pct_per_day = 100
    rails.min_daily_budget_minor, rails.max_daily_budget_minor = 100, 10_000_000
    rails.save()
    return rails


@pytest.fixture
def meta_campaign(key_connection: Connection, loose_guardrails: Guardrails) -> Campaign:
    """An active sandbox campaign with a daily budget, synced."""
    connection_sync(connection_id=key_connection.pk, streams=["campaigns"])
    return Campaign.objects.filter(status="ACTIVE", daily_budget__isnull=False).order_by("pk")[0]
