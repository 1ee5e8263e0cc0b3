"""Seed the demo calendar with posts in every state, published through the sandbox for real.

Runs at the end of `seed_demo --sandbox`, once (it does nothing when posts exist). Image
checks are answered locally (the demo's product images live on the store's CDN); everything
else goes through the same submit, approve, schedule and publish steps as in the app.
"""

from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.utils import timezone

from flux.accounts.roles import Role
from social.approval import post_approve, post_schedule, post_submit
from social.composing import PostFields, post_create
from social.images import ImageInfo
from social.models import Post
from social.publishing import post_publish

IMAGE = "https://images.squarespace-cdn.com/content/v1/flux-engineering/demo-post.jpg"
BROKEN = "https://images.squarespace-cdn.com/content/v1/flux-engineering/error-upload.jpg"
# (title, channels, days from now, how far it goes, image)
PLAN = (
    ("Caliper restock", "both", 9, "draft", IMAGE),
    ("Workshop tour", "instagram", 4, "submitted", IMAGE),
    ("Spring sale teaser", "facebook", 6, "approved", IMAGE),
    ("Torque driver launch", "both", 2, "scheduled", IMAGE),
    ("Bench vise back in stock", "both", 1, "published", IMAGE),
    ("Customer build feature", "both", 3, "partial", BROKEN),
    ("Reel: soldering tips", "instagram", 5, "failed", BROKEN),
)
STEPS = ("draft", "submitted", "approved", "scheduled", "published")


def _probe(url: str) -> ImageInfo:
    return ImageInfo(url, "jpeg", 1080, 1350)


def _person(name: str) -> User:
    user, _ = User.objects.get_or_create(username=name, defaults={"email": f"{name}@flux.example"})
    user.groups.add(Group.objects.get_or_create(name=Role.OPERATOR.group_name)[0])
    return user


def social_demo_seed(*, report: Callable[[str], None]) -> int:
    """Create one post per state; return how many were made."""
    if Post.objects.exists():
        return 0
    author, approver = _person("demo-social-author"), _person("demo-social-approver")
    for title, channels, days, state, image in PLAN:
        post = _compose(author, title, channels, days, image)
        _advance(post, state, author, approver)
    report(f"Seeded {len(PLAN)} social posts in every state")
    return len(PLAN)


def _compose(author: User, title: str, channels: str, days: int, image: str) -> Post:
    when = (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    fields = {
        "title": title, "channels": channels, "image_urls": [image],
        "caption_facebook": f"{title}: see it in the shop this week.",
        "caption_instagram": f"{title}. #fluxengineering #workshop",
        "first_comment": "Shop link in bio.", "scheduled_at": when,
    }  # fmt: skip
    return post_create(user=author, fields=PostFields(fields))


def _advance(post: Post, state: str, author: User, approver: User) -> None:
    reached = STEPS.index(state) if state in STEPS else len(STEPS) - 1
    if reached >= 1:
        post_submit(post=post, user=author, probe=_probe)
    if reached >= 2:
        post_approve(post=post, user=approver, probe=_probe)
    if reached >= 3:
        post_schedule(post=post, user=approver)
    if reached >= 4 and post.scheduled_at is not None:
        post_publish(post_id=post.pk, now=post.scheduled_at + timedelta(seconds=1))
        # Demo history: finished posts sit in the past week of the calendar.
        Post.objects.filter(pk=post.pk).update(scheduled_at=post.scheduled_at - timedelta(days=7))
