"""A real Celery worker, fed through Redis, runs the scheduled privacy task against PostgreSQL."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from flux.celery import app
from flux.privacy.models import DeletionRequest
from flux.privacy.tasks import flag_overdue_deletion_requests
from tests.child_processes import child_database_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_queue(settings):
    """Start a worker on a queue of its own; switch the test process to real enqueueing."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": child_database_url()}
    env["REDIS_URL"] = settings.REDIS_URL
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "flux",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        app.conf.task_always_eager = True
        worker.terminate()
        worker.wait(timeout=30)


def wait_until(condition, *, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_real_worker_flags_an_overdue_request_sent_through_redis(worker_queue):
    past = timezone.now() - timedelta(days=45)
    request = DeletionRequest.objects.create(
        code=uuid.uuid4().hex,
        source="form",
        subject_kind="email",
        subject_hash="a" * 64,
        created_at=past,
        due_at=past + timedelta(days=30),
    )
    flag_overdue_deletion_requests.apply_async(queue=worker_queue)

    def flagged() -> bool:
        return DeletionRequest.objects.get(pk=request.pk).overdue_flagged_at is not None

    assert wait_until(flagged), "the worker did not flag the overdue request within 30 s"
