"""Redis restarted while a real Celery worker is in the middle of a large sync.

The worker (prefork, as in production) and the test use a Redis of their own, configured
like the compose file's, so the restart touches nothing else. The sync does not need the
broker while it pages, so it either ends right or fails cleanly; the worker reconnects on
its own and the next sync it is sent completes. However the broker redelivers, the stored
orders are exactly the brand's, and the connections page shows the runs as they ended.
"""

import uuid

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from flux.celery import app
from integrations.models import Connection, Order, SyncRun, SyncStatus
from integrations.tasks import sync_connection
from tests.child_processes import celery_worker, wait_until
from tests.reliability.own_redis import OwnRedis
from tests.reliability.syncs import (
    ORDERS,
    BigStore,
    assert_connections_page_shows,
    assert_equals_a_clean_run,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def send_sync(connection: Connection, queue: str, broker: OwnRedis) -> None:
    """Queue a sync of the orders on the test's own Redis (not the suite's)."""
    with app.connection_for_write(broker.url) as link, link.Producer() as producer:
        sync_connection.apply_async((connection.pk, ["orders"]), queue=queue, producer=producer)


def no_run_running() -> bool:
    return not SyncRun.objects.filter(status=SyncStatus.RUNNING).exists()


def test_a_redis_restart_mid_sync_loses_and_duplicates_nothing(
    big_store: BigStore, own_redis: OwnRedis, real_enqueueing: None, admin_user: User
) -> None:
    connection = big_store.connect()
    queue = f"reliability-{uuid.uuid4().hex[:8]}"
    env = big_store.worker_env(REDIS_URL=own_redis.url)

    with celery_worker(queue, env, pool="prefork"):
        send_sync(connection, queue, own_redis)
        wait_until(lambda: Order.objects.count() >= ORDERS // 4, seconds=120, what="progress")
        own_redis.restart()
        assert Order.objects.count() < ORDERS, "the restart must land in the middle of the sync"
        wait_until(no_run_running, seconds=180, what="the interrupted run to end")

        restarted_at = timezone.now()
        send_sync(connection, queue, own_redis)  # the worker must have reconnected to take it
        wait_until(
            lambda: (
                SyncRun.objects.filter(started_at__gt=restarted_at).exists() and no_run_running()
            ),
            seconds=180,
            what="the next run",
        )

    runs = SyncRun.objects.filter(connection=connection, stream="orders").order_by("started_at")
    assert runs.last().status == SyncStatus.SUCCEEDED  # type: ignore[union-attr]
    assert sum(run.rows_inserted for run in runs) == ORDERS  # each order inserted once
    assert_equals_a_clean_run(connection, big_store.brand)
    statuses = [run.get_status_display() for run in runs.reverse()]
    assert "Running" not in statuses
    assert_connections_page_shows(admin_user, connection, statuses)
