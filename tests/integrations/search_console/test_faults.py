"""Every fault on searchAnalytics.query heals within the run or on the next: right data,
no duplicates, never half a page; an expired token is refreshed and stored sealed."""

import pytest
from django.db import connection as db

from integrations.models import Connection, SearchDay
from integrations.models.connections import SyncStatus
from sandbox.platforms.google_oauth import GoogleOAuth
from sandbox.platforms.search_console import SearchConsole
from tests.integrations.search_console.conftest import stored_by_day, sync, truth_by_day


# The other classes mid-listing are in tests/reliability/test_sandbox_faults.py.
@pytest.mark.parametrize("fault", ["rate_limited_403"])
def test_a_fault_mid_page_run_ends_with_the_right_rows(
    connection: Connection, search: SearchConsole, fault: str
):
    search.page_cap = 7  # several pages a day, so the fault lands past the first
    search.faults.arm("query", "none")
    search.faults.arm("query", fault)
    run = sync(connection, search)
    if run.status != SyncStatus.SUCCEEDED:
        run = sync(connection, search)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert stored_by_day() == truth_by_day(search)


@pytest.mark.parametrize("fault", ["server_error", "malformed", "truncated", "slow"])
def test_a_fault_that_outlasts_the_retries_fails_the_run_and_the_next_completes(
    connection: Connection, search: SearchConsole, fault: str
):
    search.page_cap = 7
    search.faults.arm("query", "none")
    for _ in range(4):
        search.faults.arm("query", fault)
    failed = sync(connection, search)
    assert failed.status == SyncStatus.FAILED
    assert SearchDay.objects.count() % 7 == 0  # whole pages only
    assert sync(connection, search).status == SyncStatus.SUCCEEDED
    assert stored_by_day() == truth_by_day(search)


def test_a_listing_that_keeps_moving_fails_the_run_without_duplicates(
    connection: Connection, search: SearchConsole
):
    search.page_cap = 7
    for _ in range(2):  # the same day shifts on both readings
        search.faults.arm("query", "none")
        search.faults.arm("query", "duplicate")
    assert sync(connection, search).status == SyncStatus.FAILED
    assert sync(connection, search).status == SyncStatus.SUCCEEDED
    assert stored_by_day() == truth_by_day(search)


def test_an_expired_token_is_refreshed_and_the_new_one_stored_sealed(
    connection: Connection, search: SearchConsole, google: GoogleOAuth
):
    assert connection.credential is not None
    before = connection.credential.secret.reveal()["access_token"]
    search.faults.arm("query", "expired_token")
    assert sync(connection, search).status == SyncStatus.SUCCEEDED
    connection.refresh_from_db()
    assert connection.credential is not None
    after = connection.credential.secret.reveal()["access_token"]
    assert after != before
    assert google.access_scopes(after)
    with db.cursor() as cursor:
        cursor.execute("SELECT secret FROM integrations_credential")
        (raw,) = cursor.fetchone()
    assert after not in str(raw)


def test_a_refused_refresh_token_asks_for_a_reconnect(
    connection: Connection, search: SearchConsole, google: GoogleOAuth
):
    google.revoke_all()
    run = sync(connection, search)
    assert run.status == SyncStatus.FAILED
    connection.refresh_from_db()
    assert connection.status == "needs_reconnect"
