"""Meta's own faults on the insights route: throttle codes, pacing, expiry, failed report jobs.

Every fault class in the middle of the listing (and the connections page after it) is in
tests/reliability/test_sandbox_faults.py.
"""

import time

import pytest

from integrations.connections import connection_sync
from integrations.models import CampaignDay, Connection, ConnectionStatus, SyncRun
from tests.integrations.meta.conftest import Graph
from tests.integrations.meta.test_sync import assert_days_match_truth

pytestmark = pytest.mark.django_db


def run_insights(connection: Connection, full: bool = False) -> SyncRun:
    (run,) = connection_sync(connection_id=connection.pk, streams=["insights"], full=full)
    return run


def assert_no_duplicates() -> None:
    assert (
        CampaignDay.objects.count()
        == CampaignDay.objects.values("campaign", "day").distinct().count()
    )


@pytest.mark.parametrize("fault", ["throttle_4", "throttle_17", "throttle_80004"])
def test_throttles_back_off_and_the_run_completes(
    graph: Graph, key_connection: Connection, fault: str
):
    graph.platform.faults.arm("insights", fault)
    run = run_insights(key_connection)
    assert run.status == "succeeded"
    assert 60.0 in graph.sleeps  # waited the estimated time to regain access
    assert_days_match_truth(graph, graph.usd)


def test_the_client_slows_down_before_meta_throttles(
    graph: Graph, key_connection: Connection, monkeypatch: pytest.MonkeyPatch
):
    clock = [time.time()]  # the connect's calls already count at real time
    graph.platform.clock = lambda: clock[0]
    graph.platform.call_limit = 8

    def sleep(seconds: float) -> None:
        graph.sleeps.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr("integrations.meta.client.pause", sleep)
    run = run_insights(key_connection)
    assert run.status == "succeeded", run.error
    assert any(s > 0 for s in graph.sleeps)
    assert_days_match_truth(graph, graph.usd)


def test_an_expired_token_asks_for_a_reconnect(graph: Graph, key_connection: Connection):
    graph.platform.faults.arm("insights", "expired_token")
    run = run_insights(key_connection)
    assert run.status == "failed"
    assert run.error_permanent
    key_connection.refresh_from_db()
    assert key_connection.status == ConnectionStatus.NEEDS_RECONNECT


def test_a_failed_report_run_fails_the_backfill_and_the_next_run_completes(
    graph: Graph, key_connection: Connection
):
    graph.platform.faults.arm("report_run", "job_failed")
    assert run_insights(key_connection).status == "failed"
    assert run_insights(key_connection).status == "succeeded"
    assert_no_duplicates()
    assert_days_match_truth(graph, graph.usd)
