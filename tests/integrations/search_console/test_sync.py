"""Syncing search analytics against the sandbox: ground truth, re-runs, fresh days, paging."""

from datetime import timedelta

from integrations.http import RetryPolicy
from integrations.models import Connection, SearchDay, SearchProperty, SyncState
from integrations.models.connections import SyncStatus
from sandbox.platforms.search_console import SearchConsole
from tests.integrations.search_console.conftest import (
    SITE,
    stored_by_day,
    sync,
    truth_by_day,
)


def test_a_sync_matches_the_sandbox_day_by_day(connection: Connection, search: SearchConsole):
    run = sync(connection, search)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert stored_by_day() == truth_by_day(search)
    assert SearchProperty.objects.get().site_url == SITE


def test_the_newest_days_are_fresh_and_the_bookmark_stops_before_them(
    connection: Connection, search: SearchConsole
):
    sync(connection, search)
    fresh_days = {day for day, (*_, fresh) in stored_by_day().items() if fresh}
    assert fresh_days == {search.today - timedelta(days=2), search.today - timedelta(days=1)}
    bookmark = SyncState.objects.get(connection=connection).bookmark
    assert bookmark == (search.today - timedelta(days=3)).isoformat()


def test_running_again_duplicates_nothing(connection: Connection, search: SearchConsole):
    sync(connection, search)
    count = SearchDay.objects.count()
    again = sync(connection, search)
    assert (again.rows_inserted, again.rows_updated) == (0, 0)
    assert SearchDay.objects.count() == count


def test_a_later_run_turns_fresh_days_final_with_their_final_numbers(
    connection: Connection, search: SearchConsole
):
    sync(connection, search)
    was_fresh = search.today - timedelta(days=1)
    search.advance(days=3)
    run = sync(connection, search)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    stored = stored_by_day()
    assert {d: v for d, v in stored.items() if d >= was_fresh - timedelta(days=1)} == {
        d: v for d, v in truth_by_day(search).items() if d >= was_fresh - timedelta(days=1)
    }
    assert stored[was_fresh][3] is False


def test_history_older_than_sixteen_months_is_never_deleted(
    connection: Connection, search: SearchConsole
):
    sync(connection, search)
    old = SearchDay.objects.first()
    assert old is not None
    old.pk, old.day = None, search.today - timedelta(days=600)
    old.save()
    sync(connection, search)
    assert SearchDay.objects.filter(day=search.today - timedelta(days=600)).count() == 1


def test_small_pages_are_followed_until_an_answer_without_rows(
    connection: Connection, search: SearchConsole
):
    search.page_cap = 7
    sync(connection, search)
    assert stored_by_day() == truth_by_day(search)
    day = (search.today - timedelta(days=4)).isoformat()
    starts = [q["startRow"] for q in search.query_log if q["startDate"] == day]
    rows = search.data.row_count(search.today - timedelta(days=4))
    assert starts == list(range(0, rows + 1, 7)) + ([rows] if rows % 7 else [])


def test_a_day_of_more_than_25000_rows_pages_at_the_real_limit(
    connection: Connection, search: SearchConsole
):
    big = search.today - timedelta(days=3)
    search.data.overrides[big] = 25_010
    patient = RetryPolicy(read_timeout=60.0)  # answering 25,000 rows outlasts the short one
    run = sync(connection, search, history_days=3, policy=patient)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    starts = [q["startRow"] for q in search.query_log if q["startDate"] == big.isoformat()]
    assert starts == [0, 25_000, 25_010]
    truth = search.data.day_truth(big)
    assert stored_by_day()[big] == (truth.rows, truth.clicks, truth.impressions, False)
    assert truth.rows == 25_010


def test_a_failed_run_resumes_after_the_last_final_day(
    connection: Connection, search: SearchConsole
):
    for _ in range(3):  # the first day (a page and an empty answer), half the second
        search.faults.arm("query", "none")
    for _ in range(4):
        search.faults.arm("query", "server_error")
    failed = sync(connection, search)
    assert failed.status == SyncStatus.FAILED
    resumed_from = SyncState.objects.get(connection=connection).bookmark
    assert resumed_from == (search.today - timedelta(days=8)).isoformat()
    run = sync(connection, search)
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.bookmark_start == resumed_from
    assert stored_by_day() == truth_by_day(search)
