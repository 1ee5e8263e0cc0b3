"""A real Celery worker killed with SIGKILL in the middle of a large sync, then restarted.

The worker talks to Redis and PostgreSQL for real. After the kill, the run it left behind
is recognised as dead (its advisory lock went with its database session), the next run
resumes from the last committed page, and the final data equals the brand's ground truth:
nothing lost, nothing duplicated.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db.models import Sum

from flux.celery import app
from integrations.connections import connection_connect
from integrations.models import Connection, Order, OrderLine, SyncRun, SyncStatus
from integrations.providers import registry
from integrations.tasks import sync_connection
from sandbox.platforms._brand import brand_for
from sandbox.server import SandboxOptions, build_sandbox
from sandbox.testing import running_sandbox
from tests.child_processes import child_database_url

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 6_000
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@contextmanager
def worker(queue: str, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "flux", "worker", "--pool=solo", "-Q", queue,
         "--without-mingle", "--without-gossip", "--loglevel=WARNING"],
        cwd=ROOT,
        env={**os.environ, **env},
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def wait_until(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def site(settings):
    options = SandboxOptions(seed=4242, orders=ORDERS)
    with running_sandbox(build_sandbox(options)) as url:
        settings.SQUARESPACE_API_URL = f"{url}/squarespace"
        yield url, brand_for(options)


@pytest.fixture
def real_enqueueing():
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def test_a_worker_killed_mid_sync_loses_and_duplicates_nothing(site, settings, real_enqueueing):
    url, brand = site
    adapter = registry.get("squarespace")
    grant = adapter.connect_with_key(api_key="sqsp_demo_key", account="")
    connection = connection_connect(provider="squarespace", grant=grant, actor="test")
    queue = f"reliability-{uuid.uuid4().hex[:8]}"
    env = {
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SQUARESPACE_API_URL": f"{url}/squarespace",
    }

    with worker(queue, env) as first:
        sync_connection.apply_async((connection.pk, ["orders"]), queue=queue)
        wait_until(lambda: Order.objects.count() >= ORDERS // 4, seconds=120, what="progress")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    orders_at_kill = Order.objects.count()
    assert 0 < orders_at_kill < ORDERS, "the kill must land in the middle of the sync"
    dead = SyncRun.objects.get(connection=connection, stream="orders")
    assert dead.status == SyncStatus.RUNNING  # nobody was left to finish it

    with worker(queue, env):
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
    assert_equals_a_clean_run(connection, brand)


def assert_equals_a_clean_run(connection: Connection, brand) -> None:
    truth = brand.truth
    assert Order.objects.filter(connection=connection).count() == truth.orders
    assert (
        Order.objects.values("provider_order_id").distinct().count() == truth.orders
    )  # no duplicates
    assert OrderLine.objects.count() == truth.line_count
    total = Order.objects.aggregate(total=Sum("grand_total"))["total"]
    assert total == sum(truth.grand_total_minor.values())
