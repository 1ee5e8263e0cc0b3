"""Every fault on the orders route ends in the right data, at worst one run later, never doubled."""

import pytest
import requests
from django.db.models import Count

from integrations.connections import connection_sync
from integrations.models import Connection, ConnectionStatus, Order, SyncRun
from sandbox.platforms.squarespace import LIST_FAULTS, SquarespaceApp
from tests.integrations.squarespace.conftest import Site

pytestmark = pytest.mark.django_db


def sync_orders(connection: Connection) -> SyncRun:
    (run,) = connection_sync(connection_id=connection.pk, streams=["orders"])
    return run


def assert_whole_pages_only(site: Site, run: SyncRun) -> None:
    """Every stored order is complete, and none is stored twice."""
    assert Order.objects.count() == Order.objects.values("provider_order_id").distinct().count()
    counts = Order.objects.annotate(n=Count("lines")).values_list("provider_order_id", "n")
    for order_id, n in counts:
        assert n == len(site.brand.order(order_id)["lineItems"])  # type: ignore[index]


# On the first page, before any bookmark; later pages: tests/reliability/test_sandbox_faults.py.
@pytest.mark.parametrize("fault", LIST_FAULTS)
def test_a_fault_on_the_first_orders_page_heals_by_the_next_run(
    site: Site, oauth_connection: Connection, fault: str
):
    site.platform.faults.arm("orders", fault)
    first = sync_orders(oauth_connection)
    assert_whole_pages_only(site, first)
    assert Order.objects.count() == first.rows_inserted
    runs = [first] if first.status == "succeeded" else [first, sync_orders(oauth_connection)]
    assert [run.status for run in runs][-1] == "succeeded"
    assert Order.objects.count() == site.brand.truth.orders
    assert sum(run.rows_inserted for run in runs) == site.brand.truth.orders
    assert_whole_pages_only(site, runs[-1])


def test_garbled_and_cut_pages_fail_the_run_with_a_named_error(
    site: Site, key_connection: Connection
):
    site.platform.faults.arm("orders", "none")
    site.platform.faults.arm("orders", "truncated")
    run = sync_orders(key_connection)
    assert run.status == "failed"
    assert "not valid JSON" in run.error
    assert run.pages == 1
    assert Order.objects.count() == 50


def test_an_expired_token_is_cured_by_one_rotating_refresh(
    site: Site, oauth_connection: Connection
):
    old = oauth_connection.credential.secret.reveal()  # type: ignore[union-attr]
    site.platform.faults.arm("orders", "expired_token")
    assert sync_orders(oauth_connection).status == "succeeded"
    oauth_connection.refresh_from_db()
    new = oauth_connection.credential.secret.reveal()  # type: ignore[union-attr]
    assert new["refresh_token"] != old["refresh_token"]
    assert new["access_token"] != old["access_token"]
    assert new["webhook_secret"] == old["webhook_secret"]
    assert oauth_connection.token_expires_at is None  # renewed: nothing to reconnect
    replay = requests.post(
        f"{site.url}/squarespace/api/1/login/oauth/provider/tokens",
        json={"grant_type": "refresh_token", "refresh_token": old["refresh_token"]},
        auth=(SquarespaceApp.client_id, SquarespaceApp.client_secret),
        timeout=5,
    )
    assert replay.status_code == 400


def test_an_expired_access_token_is_refreshed_before_the_first_call(
    site: Site, oauth_connection: Connection
):
    site.platform.expire_tokens()
    secret = dict(oauth_connection.credential.secret.reveal())  # type: ignore[union-attr]
    secret["access_token_expires_at"] = 0
    oauth_connection.credential.secret = secret  # type: ignore[union-attr]
    oauth_connection.credential.save()  # type: ignore[union-attr]
    assert sync_orders(oauth_connection).status == "succeeded"
    assert Order.objects.count() == site.brand.truth.orders


def test_a_refused_api_key_asks_for_a_reconnect(site: Site, key_connection: Connection):
    site.platform.faults.arm("orders", "expired_token")
    run = sync_orders(key_connection)
    key_connection.refresh_from_db()
    assert run.status == "failed"
    assert run.error_permanent
    assert key_connection.status == ConnectionStatus.NEEDS_RECONNECT
    assert Order.objects.count() == 0
