"""Draft to published against the Meta sandbox: each channel once, partial failures kept apart."""

from datetime import timedelta

import pytest

from flux.audit.models import AuditEvent
from proposals.models import ProposalStatus
from social.approval import post_approve, post_schedule, post_submit
from social.models import ChannelStatus, Post, PostStatus
from social.publishing import post_publish

pytestmark = pytest.mark.django_db


def approve_and_schedule(post, author, approver):
    post_submit(post=post, user=author)
    post_approve(post=post, user=approver)
    post_schedule(post=post, user=approver)
    return post


def publish_when_due(post):
    return post_publish(post_id=post.pk, now=post.scheduled_at + timedelta(seconds=1))


def test_a_post_is_published_once_on_each_channel(meta, connection, compose, author, approver):
    post = approve_and_schedule(compose(), author, approver)

    published = publish_when_due(post)

    assert published.status == PostStatus.PUBLISHED
    assert len(meta.writes("feed")) == 1
    assert len(meta.writes("container_create")) == 1
    assert len(meta.writes("media_publish")) == 1
    assert len(meta.writes("comment")) == 1
    facebook, instagram = published.targets.order_by("channel")
    assert facebook.external_id.startswith(connection.options["page_id"] + "_")
    assert facebook.permalink.startswith("https://www.facebook.com/")
    assert instagram.container_id
    assert instagram.external_id
    assert instagram.comment_id
    assert instagram.permalink.startswith("https://www.instagram.com/p/")
    assert post.proposal.status == ProposalStatus.APPROVED


def test_running_the_publisher_again_publishes_nothing_more(
    meta, connection, compose, author, approver
):
    post = approve_and_schedule(compose(), author, approver)
    publish_when_due(post)

    publish_when_due(post)
    post_publish(post_id=post.pk)

    assert len(meta.writes("feed")) == 1
    assert len(meta.writes("media_publish")) == 1


def test_a_post_is_not_published_before_its_time(meta, connection, compose, author, approver):
    post = approve_and_schedule(compose(), author, approver)

    assert post_publish(post_id=post.pk).status == PostStatus.SCHEDULED
    assert meta.platform.writes == []


def test_an_instagram_failure_beside_a_facebook_success_is_a_partial_success(
    meta, connection, compose, author, approver
):
    post = approve_and_schedule(compose(), author, approver)
    meta.platform.faults.arm("container", "error")

    published = publish_when_due(post)

    assert published.status == PostStatus.PARTIAL
    facebook = published.targets.get(channel="facebook")
    instagram = published.targets.get(channel="instagram")
    assert facebook.status == ChannelStatus.PUBLISHED
    assert instagram.status == ChannelStatus.FAILED
    assert "Media download failed (2207026)" in instagram.error
    assert meta.writes("media_publish") == []
    event = AuditEvent.objects.get(action="social.post.partial")
    assert "2207026" in str(event.after)


def test_a_transient_error_is_retried_and_then_publishes_once(
    meta, connection, compose, author, approver
):
    post = approve_and_schedule(compose(channels="instagram"), author, approver)
    meta.platform.faults.arm("media_publish", "server_error")

    first = publish_when_due(post)
    assert first.status == PostStatus.SCHEDULED  # back in line for the beat
    assert "Will retry" in first.targets.get().error
    second = publish_when_due(post)

    assert second.status == PostStatus.PUBLISHED
    assert len(meta.writes("container_create")) == 1  # the recorded container was reused
    assert len(meta.writes("media_publish")) == 1


def test_a_post_edited_after_approval_is_never_published(
    meta, connection, compose, author, approver
):
    post = approve_and_schedule(compose(), author, approver)
    type(post).objects.filter(pk=post.pk).update(caption_facebook="Changed behind our back")

    published = publish_when_due(post)

    assert published.status == PostStatus.FAILED
    assert meta.platform.writes == []
    assert "approval is void" in published.targets.first().error


def test_a_first_comment_lost_with_its_worker_is_adopted_not_repeated(
    meta, connection, compose, author, approver
):
    post = approve_and_schedule(compose(), author, approver)
    publish_when_due(post)
    instagram = post.targets.get(channel="instagram")
    commented = instagram.comment_id
    # The worker died after Meta made the comment and before the app recorded it.
    instagram.comment_id = ""
    instagram.save(update_fields=["comment_id"])
    post.refresh_from_db()
    post.status = PostStatus.PUBLISHING
    post.claimed_at = post.scheduled_at - timedelta(days=1)
    post.save(update_fields=["status", "claimed_at"])

    publish_when_due(post)

    instagram.refresh_from_db()
    assert instagram.comment_id == commented
    assert len(meta.writes("comment")) == 1
    assert post.targets.get(channel="instagram").status == ChannelStatus.PUBLISHED


def test_a_first_comment_never_made_is_made_when_the_run_resumes(
    meta, connection, compose, author, approver
):
    post = approve_and_schedule(compose(), author, approver)
    publish_when_due(post)
    instagram = post.targets.get(channel="instagram")
    meta.platform.state.comments.clear()  # the worker died before the comment reached Meta
    instagram.comment_id = ""
    instagram.save(update_fields=["comment_id"])
    Post.objects.filter(pk=post.pk).update(
        status=PostStatus.PUBLISHING, claimed_at=post.scheduled_at - timedelta(days=1)
    )

    publish_when_due(post)

    instagram.refresh_from_db()
    assert instagram.comment_id
    assert len(meta.writes("comment")) == 2
    assert Post.objects.get(pk=post.pk).status == PostStatus.PUBLISHED
