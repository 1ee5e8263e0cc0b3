"""A real Celery worker killed with SIGKILL in the middle of a large sync, then restarted.

The worker talks to Redis and PostgreSQL for real. After the kill, the run it left behind
is recognised as dead (its advisory lock went with its database session), the next run
resumes from the last committed page, and the final data equals the brand's ground truth:
nothing lost, nothing duplicated. The connections page shows both runs as they ended.
"""

import os
import signal
import uuid

import pytest
from django.contrib.auth.models import User

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


def test_a_worker_killed_mid_sync_loses_and_duplicates_nothing(
    big_store: BigStore, real_enqueueing: None, admin_user: User
) -> None:
    connection = big_store.connect()
    queue = f"reliability-{uuid.uuid4().hex[:8]}"
    env = big_store.worker_env()

    with celery_worker(queue, env) as first:
        sync_connection.apply_async((connection.pk, ["orders"]), queue=queue)
        wait_until(lambda: Order.objects.count() >= ORDERS // 4, seconds=120, what="progress")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    orders_at_kill = Order.objects.count()
    assert 0 < orders_at_kill < ORDERS, "the kill must land in the middle of the sync"
    dead = SyncRun.objects.get(connection=connection, stream="orders")
    assert dead.status == SyncStatus.RUNNING  # nobody was left to finish it

    with celery_worker(queue, env):
        sync_connection.apply_async((connection.pk, ["orders"]), queue=queue)
        wait_until(
            lambda: SyncRun.objects.filter(stream="orders", status="succeeded").exists(),
            seconds=180,
            what="the resumed run",
        )

    dead.refresh_from_db()
    assert dead.status == SyncStatus.FAILED
    resumed = SyncRun.objects.get(stream="orders", status="succeeded")
    assert resumed.bookmark_start != ""  # it resumed, it did not start over
    assert_equals_a_clean_run(connection, big_store.brand)
    assert_connections_page_shows(
        admin_user, connection, ["Succeeded", "Failed"], error="the worker stopped answering"
    )
