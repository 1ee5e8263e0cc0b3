"""A real Celery worker, fed through Redis, runs the scheduled privacy task against PostgreSQL."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from flux.privacy.models import DeletionRequest
from flux.privacy.tasks import flag_overdue_deletion_requests
from tests.child_processes import (
    celery_worker,
    child_database_url,
    enqueueing_for_real,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_queue(settings):
    """Start a worker on a queue of its own; switch the test process to real enqueueing."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {"DATABASE_URL": child_database_url(), "REDIS_URL": settings.REDIS_URL}
    with celery_worker(queue, env), enqueueing_for_real():
        yield queue


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

    wait_until(flagged, seconds=30, what="the worker to flag the overdue request")
