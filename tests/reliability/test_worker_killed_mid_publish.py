"""A real Celery worker (Redis, PostgreSQL) killed with SIGKILL mid-publish, then a retry.

The Meta sandbox runs in this process, so its record of writes is the platform's own count.
A test-only pause (FLUX_FAULT_HOOKS) holds the first worker at a publishing step; the test
kills it there, starts a second worker and asks again. The post's advisory lock went with
the dead worker's database session, so the retry takes over at once and resumes from the
recorded step: the container is reused and media_publish happens exactly once. The post's
page then says so.
"""

import os
import signal
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from sandbox.platforms.meta import MetaApp
from social.approval import post_approve, post_schedule, post_submit
from social.models import ChannelStatus, Post, PostChannel, PostStatus
from social.tasks import post_publish_task
from tests.child_processes import (
    celery_worker,
    child_database_url,
    wait_until,
)
from tests.reliability.pages import element_text, staff_page
from tests.social.conftest import Meta, approver, author, compose, connection, images, meta

__all__ = ["approver", "author", "compose", "connection", "images", "meta"]
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
Compose = Callable[..., Post]


@pytest.fixture
def worker_env(meta: Meta, settings: object, real_enqueueing: None) -> dict[str, str]:
    return {
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": settings.REDIS_URL,  # type: ignore[attr-defined]
        "META_GRAPH_URL": meta.url,
        "META_APP_ID": MetaApp.app_id,
        "META_APP_SECRET": MetaApp.app_secret,
        "FLUX_SOCIAL_POLL_SECONDS": "0",
        "FLUX_FAULT_HOOKS": "true",
    }


def due_post(compose: Compose, author: User, approver: User) -> Post:
    """Approve and schedule a post for both channels a few seconds from now; wait until due."""
    post = compose(scheduled_at=timezone.now() + timedelta(seconds=4))
    post_submit(post=post, user=author)
    post_approve(post=post, user=approver)
    post_schedule(post=post, user=approver)
    assert post.scheduled_at is not None
    time.sleep(max(0.0, (post.scheduled_at - timezone.now()).total_seconds() + 0.2))
    return post


def instagram_of(post: Post) -> PostChannel:
    return PostChannel.objects.get(post=post, channel="instagram")


def kill_at(queue: str, env: dict[str, str], post: Post, reached: Callable[[], bool]) -> None:
    with celery_worker(queue, env) as first:
        post_publish_task.apply_async((post.pk,), queue=queue)
        wait_until(reached, seconds=120, what="the paused publishing step")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)


def retry_until_published(queue: str, env: dict[str, str], post: Post) -> Post:
    with celery_worker(queue, env):
        post_publish_task.apply_async((post.pk,), queue=queue)
        wait_until(
            lambda: Post.objects.get(pk=post.pk).status == PostStatus.PUBLISHED,
            seconds=120,
            what="the retried publish",
        )
    return Post.objects.get(pk=post.pk)


def assert_post_page_says_published(post: Post, viewer: User) -> None:
    page = staff_page(viewer, f"/social/{post.pk}/")
    assert element_text(page, "id", "post-status") == "Published"
    for channel in ("facebook", "instagram"):
        assert "Published" in element_text(page, "id", f"channel-{channel}")


def test_a_worker_killed_between_container_and_publish_publishes_once_on_retry(
    meta: Meta, connection: object, compose: Compose, author: User, approver: User,
    worker_env: dict[str, str], viewer: User,
) -> None:  # fmt: skip
    post = due_post(compose, author, approver)
    queue = f"social-{uuid.uuid4().hex[:8]}"
    paused = {**worker_env, "FLUX_FAULT_PAUSE_BEFORE_IG_PUBLISH": "120"}

    def container_finished() -> bool:
        containers = meta.platform.state.containers
        return any(c.polls >= 2 for c in containers.values()) and bool(
            instagram_of(post).container_id
        )

    kill_at(queue, paused, post, container_finished)
    assert meta.writes("media_publish") == []
    assert Post.objects.get(pk=post.pk).status == PostStatus.PUBLISHING  # nobody left to finish
    container_id = instagram_of(post).container_id

    published = retry_until_published(queue, worker_env, post)

    assert len(meta.writes("media_publish")) == 1
    assert len(meta.writes("container_create")) == 1
    assert len(meta.writes("feed")) == 1
    instagram = instagram_of(published)
    assert instagram.container_id == container_id  # resumed from the recorded step
    assert instagram.status == ChannelStatus.PUBLISHED
    assert instagram.external_id
    assert_post_page_says_published(published, viewer)


def test_a_worker_killed_right_after_publishing_never_publishes_again(
    meta: Meta, connection: object, compose: Compose, author: User, approver: User,
    worker_env: dict[str, str], viewer: User,
) -> None:  # fmt: skip
    post = due_post(compose, author, approver)
    queue = f"social-{uuid.uuid4().hex[:8]}"
    paused = {**worker_env, "FLUX_FAULT_PAUSE_AFTER_IG_PUBLISH": "120"}

    kill_at(queue, paused, post, lambda: bool(instagram_of(post).external_id))
    assert len(meta.writes("media_publish")) == 1
    media_id = instagram_of(post).external_id
    assert instagram_of(post).status != ChannelStatus.PUBLISHED

    published = retry_until_published(queue, worker_env, post)

    assert len(meta.writes("media_publish")) == 1
    instagram = instagram_of(published)
    assert instagram.external_id == media_id
    assert instagram.permalink.startswith("https://www.instagram.com/p/")
    assert len(meta.writes("comment")) == 1
    assert_post_page_says_published(published, viewer)
