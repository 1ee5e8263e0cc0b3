"""Writes to Google Ads are absolute and idempotent; faults back off or fail cleanly."""

import json

import pytest

from integrations.connections import connection_connect, connection_sync
from integrations.google_ads.actions import campaign_set_daily_budget, campaign_set_status
from integrations.models import CampaignDay, Connection
from integrations.providers import registry
from tests.integrations.google_ads.conftest import Ads

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection(ads: Ads) -> Connection:
    grant = registry.get("google_ads").connect_with_key(
        api_key=ads.google.issue_refresh_token(), account=ads.platform.customer_id
    )
    return connection_connect(provider="google_ads", grant=grant, actor="test")


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("integrations.google_ads.client.time.sleep", lambda seconds: None)


def enabled_campaign(ads: Ads) -> str:
    return str(next(c.id for c in ads.platform.brand.campaigns if c.status == "ENABLED"))


def test_pausing_twice_writes_once_and_resuming_writes_again(ads: Ads, connection: Connection):
    campaign = enabled_campaign(ads)
    first = campaign_set_status(connection=connection, campaign_external_id=campaign,
                                status="PAUSED")  # fmt: skip
    second = campaign_set_status(connection=connection, campaign_external_id=campaign,
                                 status="PAUSED")  # fmt: skip
    assert (first.before, first.after) == ("ENABLED", "PAUSED")
    assert first.response_id.endswith(f"/campaigns/{campaign}")
    assert second.response_id == ""
    assert [w.route for w in ads.platform.writes] == ["MutateCampaigns"]
    campaign_set_status(connection=connection, campaign_external_id=campaign, status="ENABLED")
    assert ads.platform.live.status[int(campaign)] == "ENABLED"
    assert len(ads.platform.writes) == 2


def test_a_budget_is_set_to_an_absolute_amount_once(ads: Ads, connection: Connection):
    campaign = enabled_campaign(ads)
    result = campaign_set_daily_budget(connection=connection, campaign_external_id=campaign,
                                       daily_budget_minor=4250)  # fmt: skip
    again = campaign_set_daily_budget(connection=connection, campaign_external_id=campaign,
                                      daily_budget_minor=4250)  # fmt: skip
    assert result.after == 4250
    assert again.response_id == ""
    (write,) = ads.platform.writes
    assert json.loads(write.body)["operations"][0]["amount_micros"] == 42_500_000


# The other fault classes are in tests/reliability/test_sandbox_faults.py.
@pytest.mark.parametrize("fault", ["quota_exception"])
def test_a_metrics_fault_is_retried_and_the_sync_completes(ads, connection, fault):
    ads.platform.faults.arm("SearchStream", fault)
    (run,) = connection_sync(connection_id=connection.pk, streams=["metrics"])
    brand = ads.platform.brand
    assert run.status == "succeeded"
    assert CampaignDay.objects.count() == brand.truth(brand.first_day, brand.last_day).rows


def test_persistent_quota_fails_cleanly_and_the_next_run_completes(ads, connection):
    for _ in range(4):
        ads.platform.faults.arm("SearchStream", "quota")
    (failed,) = connection_sync(connection_id=connection.pk, streams=["metrics"])
    assert failed.status == "failed"
    assert "Too many requests" in failed.error
    (run,) = connection_sync(connection_id=connection.pk, streams=["metrics"])
    brand = ads.platform.brand
    assert run.status == "succeeded"
    assert CampaignDay.objects.count() == brand.truth(brand.first_day, brand.last_day).rows


def test_a_revoked_refresh_token_marks_the_connection_for_reconnect(ads, connection):
    ads.google.revoke_all()
    (run,) = connection_sync(connection_id=connection.pk, streams=["campaigns"])
    connection.refresh_from_db()
    assert run.status == "failed"
    assert connection.status == "needs_reconnect"


def test_an_expired_access_token_is_refreshed_once(ads, connection):
    ads.platform.faults.arm("SearchStream", "auth_expired")
    (run,) = connection_sync(connection_id=connection.pk, streams=["campaigns"])
    assert run.status == "succeeded"
