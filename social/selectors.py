"""Read-only questions the social pages ask."""

from django.db.models import QuerySet

from integrations.models import SocialPost
from social.models import FAILURES, ChannelStatus, Post, PostChannel


def failures_unseen(limit: int = 5) -> list[Post]:
    """Return failed or partly published posts nobody has acknowledged yet, newest first."""
    return list(
        Post.objects.filter(status__in=FAILURES, failure_seen_at__isnull=True)
        .prefetch_related("targets")
        .order_by("-updated_at")[:limit]
    )


def post_insights(post: Post) -> dict[str, SocialPost]:
    """Return the synced platform rows (with insights) of a post's published channels."""
    published = [t for t in post.targets.all() if t.status == ChannelStatus.PUBLISHED]
    found: dict[str, SocialPost] = {}
    for target in published:
        row = SocialPost.objects.filter(channel=target.channel, external_id=target.external_id)
        first = row.first() if target.external_id else None
        if first is not None:
            found[target.channel] = first
    return found


def posts_listed(status: str = "") -> QuerySet[Post]:
    """Return posts for the list page, newest plans first."""
    posts = Post.objects.select_related("author", "proposal").prefetch_related("targets")
    if status:
        posts = posts.filter(status=status)
    return posts.order_by("-scheduled_at", "-pk")


def targets_failed_since(since: object) -> QuerySet[PostChannel]:
    """Return channels that failed since a time (for the staff digest)."""
    return (
        PostChannel.objects.filter(status=ChannelStatus.FAILED, failed_at__gte=since)
        .select_related("post")
        .order_by("failed_at")
    )
