"""PostgreSQL drops a real Celery worker's connections in the middle of a large sync.

The test terminates every server process of the worker (pg_terminate_backend), as a
database restart or failover would. The run cannot write its next page; it records that it
failed and why on a fresh connection, instead of sitting "running" until someone looks. The
next sync resumes from the last committed page and ends with exactly the brand's orders.
"""

import uuid

import pytest
from django.contrib.auth.models import User
from django.db import connection as db

from integrations.models import Order, SyncRun, SyncStatus
from integrations.tasks import sync_connection
from tests.child_processes import celery_worker, wait_until
from tests.reliability.syncs import (
    ORDERS,
    BigStore,
    assert_connections_page_shows,
    assert_equals_a_clean_run,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def terminate_other_backends() -> int:
    """Drop every connection to the test database but this process's own."""
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        (dropped,) = cursor.fetchone()
    return int(dropped)


def test_connections_dropped_mid_sync_fail_the_run_cleanly_and_the_next_run_completes(
    big_store: BigStore, real_enqueueing: None, admin_user: User
) -> None:
    connection = big_store.connect()
    queue = f"reliability-{uuid.uuid4().hex[:8]}"

    with celery_worker(queue, big_store.worker_env(), pool="prefork"):
        sync_connection.apply_async((connection.pk, ["orders"]), queue=queue)
        wait_until(lambda: Order.objects.count() >= ORDERS // 4, seconds=120, what="progress")
        assert terminate_other_backends() >= 1
        wait_until(
            lambda: SyncRun.objects.filter(status=SyncStatus.FAILED).exists(),
            seconds=60,
            what="the interrupted run to record its failure",
        )
        dropped = SyncRun.objects.get(status=SyncStatus.FAILED)
        assert 0 < Order.objects.count() < ORDERS, "the drop must land in the middle of the sync"

        sync_connection.apply_async((connection.pk, ["orders"]), queue=queue)
        wait_until(
            lambda: SyncRun.objects.filter(status=SyncStatus.SUCCEEDED).exists(),
            seconds=180,
            what="the next run",
        )

    assert "database connection" in dropped.error
    resumed = SyncRun.objects.get(status=SyncStatus.SUCCEEDED)
    assert resumed.bookmark_start != ""  # it resumed after the last committed page
    assert dropped.rows_inserted + resumed.rows_inserted == ORDERS
    assert_equals_a_clean_run(connection, big_store.brand)
    assert_connections_page_shows(
        admin_user, connection, ["Succeeded", "Failed"], error="database connection"
    )
