"""Publish a due post to each of its channels exactly once, resuming after any crash.

A run claims the post (scheduled and due, or "publishing" with a dead worker: on PostgreSQL
the post's advisory lock proves it, elsewhere FLUX_SOCIAL_STUCK_MINUTES must pass), checks
its approval still matches the content, then works each unfinished channel:

- Facebook: one feed post. Before posting again after an earlier attempt, the Page's recent
  posts are searched for the same message, so a post that landed is adopted, not repeated.
- Instagram: container created and its id recorded; its status polled a bounded number of
  times; media_publish only when FINISHED. A container already PUBLISHED (the worker died
  after publishing) is adopted by finding its media by caption; it is never published again.
  The media id is recorded the moment it is known; then the permalink and the first comment.

Each channel keeps its own status, so one failing leaves the other published (partial).
Transient errors put the post back to "scheduled" (the every-minute beat retries it) until
MAX_ATTEMPTS; permanent ones fail the channel with Meta's message. Failures are audited and
shown in the banner and the staff digest.
"""

import logging
import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from flux.audit.actions import audit_record
from integrations.http import PermanentError, ProviderError, TransientError
from integrations.meta.parse import PROVIDER
from integrations.sync.liveness import stream_lock
from social.approval import approval_refusal
from social.graph import ContainerState, SocialGraph, graph_for, meta_connection
from social.models import Channel, ChannelStatus, Post, PostChannel, PostStatus

logger = logging.getLogger(__name__)

LOCK_NAME = "social-publish"
MAX_ATTEMPTS = 5
CONTAINER_MINUTES = 30  # a container not FINISHED by then has failed
GraphFactory = Callable[[], SocialGraph]


def posts_due(*, now: datetime | None = None) -> list[int]:
    """Return the posts to publish now: scheduled and due, or stuck with a lost worker."""
    now = now or timezone.now()
    stuck = now - timedelta(minutes=settings.FLUX_SOCIAL_STUCK_MINUTES)
    due = Q(status=PostStatus.SCHEDULED, scheduled_at__lte=now)
    lost = Q(status=PostStatus.PUBLISHING, claimed_at__lte=stuck)
    return list(
        Post.objects.filter(due | lost).order_by("scheduled_at").values_list("pk", flat=True)
    )


def post_publish(
    *, post_id: int, graph: GraphFactory | None = None, now: datetime | None = None
) -> Post:
    """Publish one post if it is due (at `now`) and nobody else is publishing it."""
    with stream_lock(post_id, LOCK_NAME) as owned:
        if owned is not False and _claim(post_id, proven_dead=owned is True, now=now):
            post = Post.objects.select_related("proposal").get(pk=post_id)
            _publish_claimed(post, graph or _default_graph)
    return Post.objects.get(pk=post_id)


def _claim(post_id: int, *, proven_dead: bool, now: datetime | None) -> bool:
    now = now or timezone.now()
    stuck = now - timedelta(minutes=settings.FLUX_SOCIAL_STUCK_MINUTES)
    due = Q(status=PostStatus.SCHEDULED, scheduled_at__lte=now)
    # Holding the lock proves an earlier "publishing" run lost its worker; without locks, wait.
    lost = (
        Q(status=PostStatus.PUBLISHING)
        if proven_dead
        else Q(status=PostStatus.PUBLISHING, claimed_at__lte=stuck)
    )
    claimed = Post.objects.filter(Q(pk=post_id) & (due | lost)).update(
        status=PostStatus.PUBLISHING, claimed_at=now
    )
    return claimed == 1


def _default_graph() -> SocialGraph:
    return graph_for(meta_connection())


def _publish_claimed(post: Post, graph: GraphFactory) -> None:
    refusal = approval_refusal(post, fresh=False)
    targets = list(post.targets.exclude(status__in=[ChannelStatus.PUBLISHED, ChannelStatus.FAILED]))
    if refusal:
        for target in targets:
            _fail(target, refusal)
    else:
        _publish_targets(post, targets, graph)
    _finish(post)


def _publish_targets(post: Post, targets: list[PostChannel], graph: GraphFactory) -> None:
    owed = _comments_owed(post)  # read before this run publishes, so none is tried twice
    try:
        api = graph()
    except ProviderError as error:
        for target in targets:
            _channel_error(target, error)
        for target in owed:
            _record(target, error=f"Published; the first comment failed: {error}")
        return
    for target in targets:
        try:
            STEPS[target.channel](post, target, api)
        except ProviderError as error:
            _channel_error(target, error)
    for target in owed:
        _first_comment(post, target, api)


def _comments_owed(post: Post) -> list[PostChannel]:
    """Instagram channels an earlier, lost run published without recording the first comment."""
    if not post.first_comment:
        return []
    owed = post.targets.filter(channel=Channel.INSTAGRAM, status=ChannelStatus.PUBLISHED,
                               comment_id="").exclude(external_id="")  # fmt: skip
    return list(owed)


def _facebook(post: Post, target: PostChannel, api: SocialGraph) -> None:
    message = post.caption_facebook
    earlier = api.feed_find(message) if target.attempts and message else None
    if earlier and not _taken(earlier, target):
        _published(target, earlier, api)
        return
    _attempt(target)
    _published(target, api.feed_post(message=message, link=post.link), api)


def _instagram(post: Post, target: PostChannel, api: SocialGraph) -> None:
    _attempt(target)
    if not target.container_id:
        image = str(post.image_urls[0]) if post.image_urls else ""
        container_id = api.container_create(image_url=image, caption=post.caption_instagram)
        _record(target, container_id=container_id, container_at=timezone.now(),
                status=ChannelStatus.CONTAINER)  # fmt: skip
    state = _await_container(api, target)
    if state.code == "PUBLISHED":
        _adopt_published(post, target, api)
        return
    _fault_pause("FLUX_FAULT_PAUSE_BEFORE_IG_PUBLISH")
    media_id = api.media_publish(target.container_id)
    _record(target, external_id=media_id)  # before anything else can fail
    _fault_pause("FLUX_FAULT_PAUSE_AFTER_IG_PUBLISH")
    _published(target, media_id, api)
    _first_comment(post, target, api)


def _await_container(api: SocialGraph, target: PostChannel) -> ContainerState:
    """Poll the container a bounded number of times; raise unless FINISHED or PUBLISHED."""
    state = ContainerState("IN_PROGRESS", "")
    for poll in range(max(1, settings.FLUX_SOCIAL_POLL_LIMIT)):
        if poll:
            pause(settings.FLUX_SOCIAL_POLL_SECONDS)
        state = api.container_state(target.container_id)
        if state.code != "IN_PROGRESS":
            break
    if state.code in ("FINISHED", "PUBLISHED"):
        return state
    if state.code != "IN_PROGRESS":
        raise PermanentError(f"Instagram refused the media: {state.message or state.code}",
                             provider=PROVIDER)  # fmt: skip
    started = target.container_at or timezone.now()
    if timezone.now() - started > timedelta(minutes=CONTAINER_MINUTES):
        raise PermanentError(
            f"Instagram did not finish the media within {CONTAINER_MINUTES} minutes",
            provider=PROVIDER,
        )
    raise TransientError("Instagram is still processing the media", provider=PROVIDER)


def _adopt_published(post: Post, target: PostChannel, api: SocialGraph) -> None:
    """Record a container an earlier, lost attempt already published; never publish it again."""
    found = api.media_find(post.caption_instagram)
    media_id = found if found and not _taken(found, target) else ""
    if media_id:
        _published(target, media_id, api)
        _first_comment(post, target, api)
        return
    _record(target, status=ChannelStatus.PUBLISHED, published_at=timezone.now(),
            error="Published by an earlier attempt; its media id is not known yet.")  # fmt: skip


def _first_comment(post: Post, target: PostChannel, api: SocialGraph) -> None:
    if not post.first_comment or target.comment_id or not target.external_id:
        return
    try:
        # A worker that died after commenting left no comment id: adopt its comment instead.
        comment_id = api.comment_find(target.external_id, post.first_comment) or (
            api.comment_create(target.external_id, post.first_comment)
        )
    except ProviderError as error:
        _record(target, error=f"Published; the first comment failed: {error}")
        return
    _record(target, comment_id=comment_id)


def _published(target: PostChannel, external_id: str, api: SocialGraph) -> None:
    _record(target, status=ChannelStatus.PUBLISHED, external_id=external_id,
            published_at=timezone.now(), error="")  # fmt: skip
    try:
        link = api.permalink(external_id, instagram=target.channel == Channel.INSTAGRAM)
    except ProviderError as error:
        logger.warning("social permalink unread post_channel=%s error=%s", target.pk, error)
        return
    _record(target, permalink=link)


def _taken(external_id: str, target: PostChannel) -> bool:
    """Say whether another post already claims this platform object (same text twice)."""
    return PostChannel.objects.filter(external_id=external_id).exclude(pk=target.pk).exists()


def _attempt(target: PostChannel) -> None:
    PostChannel.objects.filter(pk=target.pk).update(attempts=F("attempts") + 1)
    target.attempts += 1
    if target.started_at is None:
        _record(target, started_at=timezone.now())


def _record(target: PostChannel, **changes: object) -> None:
    """Write a step's result at once, only the fields it changes."""
    PostChannel.objects.filter(pk=target.pk).update(**changes)
    for name, value in changes.items():
        setattr(target, name, value)


def _channel_error(target: PostChannel, error: ProviderError) -> None:
    logger.warning("social publish failed post_channel=%s error=%s", target.pk, error)
    if error.permanent or target.attempts >= MAX_ATTEMPTS:
        _fail(target, str(error))
    else:
        _record(target, error=f"Will retry: {error}")


def _fail(target: PostChannel, message: str) -> None:
    _record(target, status=ChannelStatus.FAILED, error=message, failed_at=timezone.now())


def _finish(post: Post) -> None:
    """Set the post's status from its channels and audit how it ended."""
    statuses = {t.status for t in post.targets.all()}
    if statuses == {ChannelStatus.PUBLISHED}:
        status = PostStatus.PUBLISHED
    elif statuses == {ChannelStatus.FAILED}:
        status = PostStatus.FAILED
    elif statuses <= {ChannelStatus.PUBLISHED, ChannelStatus.FAILED}:
        status = PostStatus.PARTIAL
    else:
        status = PostStatus.SCHEDULED  # something to retry: the beat takes it again
    Post.objects.filter(pk=post.pk).update(status=status)
    post.status = status
    if status != PostStatus.SCHEDULED:
        _audit_end(post)


def _audit_end(post: Post) -> None:
    channels = {
        t.channel: {"status": t.status, "error": t.error, "id": t.external_id}
        for t in post.targets.all()
    }
    audit_record(
        actor="social:publisher",
        action=f"social.post.{post.status}",
        target=post,
        after={"channels": channels},
    )


def _fault_pause(name: str) -> None:
    """Hold the worker at a publishing step (fault tests only, never in production)."""
    seconds = float(os.environ.get(name, "0") or 0)
    if seconds > 0 and settings.FLUX_FAULT_HOOKS:
        time.sleep(seconds)


def pause(seconds: float) -> None:
    """Wait between container polls (tests set the pause to zero)."""
    if seconds > 0:
        time.sleep(seconds)


STEPS: dict[str, Callable[[Post, PostChannel, SocialGraph], None]] = {
    Channel.FACEBOOK: _facebook,
    Channel.INSTAGRAM: _instagram,
}
