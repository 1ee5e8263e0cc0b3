"""Posts to the Facebook Page and Instagram, and how each channel's publishing went.

A Post is the brand's own content: a caption per channel, public image URLs (the app hosts
no media), an optional Instagram first comment and Facebook link, and a time. Its approval
is a social_post Proposal bound to the post's content hash (social/approval.py). Each
channel it targets has a PostChannel row that records every publishing step before the next
one is taken (container id, then media id), so a retry resumes and never posts twice.
"""

from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models

from catalog.models import Product
from proposals.models import Proposal


class Channel(models.TextChoices):
    FACEBOOK = "facebook", "Facebook Page"
    INSTAGRAM = "instagram", "Instagram"


class Channels(models.TextChoices):
    FACEBOOK = "facebook", "Facebook Page"
    INSTAGRAM = "instagram", "Instagram"
    BOTH = "both", "Facebook Page and Instagram"


class PostStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHING = "publishing", "Publishing"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"
    PARTIAL = "partial", "Partly published"


# Content may be edited, and the time moved, only before publishing starts.
EDITABLE = frozenset({PostStatus.DRAFT, PostStatus.APPROVED, PostStatus.SCHEDULED})
FAILURES = frozenset({PostStatus.FAILED, PostStatus.PARTIAL})


class ChannelStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CONTAINER = "container", "Container created"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


class Post(models.Model):
    """One post for the Facebook Page, Instagram, or both."""

    title = models.CharField(max_length=120, blank=True)
    channels = models.CharField(max_length=10, choices=Channels.choices, default=Channels.BOTH)
    caption_facebook = models.TextField(blank=True)
    caption_instagram = models.TextField(blank=True)
    image_urls = models.JSONField(default=list, blank=True)  # list[str], public http(s)
    products = models.ManyToManyField(Product, blank=True, related_name="social_posts")
    first_comment = models.TextField(blank=True)  # Instagram only
    link = models.URLField(max_length=500, blank=True)  # Facebook only
    scheduled_at = models.DateTimeField(null=True, blank=True, db_index=True)  # UTC
    status = models.CharField(max_length=12, choices=PostStatus.choices, default=PostStatus.DRAFT)
    # The approval request (a social_post proposal bound to the content hash), and the
    # Claude draft the post was edited from, if any.
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    draft_proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="social_posts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)  # publishing started
    failure_seen_at = models.DateTimeField(null=True, blank=True)  # banner dismissed
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_at", "pk"]
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self) -> str:
        return self.title or f"Post {self.pk}"

    @property
    def channel_list(self) -> list[str]:
        """Return the channels the post targets, Facebook first."""
        if self.channels == Channels.BOTH:
            return [Channel.FACEBOOK, Channel.INSTAGRAM]
        return [self.channels]

    def caption_for(self, channel: str) -> str:
        """Return the caption written for one channel."""
        return self.caption_facebook if channel == Channel.FACEBOOK else self.caption_instagram

    def content(self) -> dict[str, Any]:
        """Return the content an approval is bound to (the time included)."""
        return {
            "channels": self.channel_list,
            "captions": {c: self.caption_for(c) for c in self.channel_list},
            "image_urls": list(self.image_urls),
            "first_comment": self.first_comment if Channel.INSTAGRAM in self.channel_list else "",
            "link": self.link if Channel.FACEBOOK in self.channel_list else "",
            # UTC, so a time read back from the database hashes like the one typed in.
            "scheduled_at": self.scheduled_at.astimezone(UTC).isoformat()
            if self.scheduled_at
            else None,
        }

    @property
    def is_editable(self) -> bool:
        """Say whether content and time may still change."""
        return self.status in EDITABLE


class PostChannel(models.Model):
    """One channel of a post: each publishing step is recorded before the next one."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="targets")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(
        max_length=10, choices=ChannelStatus.choices, default=ChannelStatus.PENDING
    )
    error = models.TextField(blank=True)
    container_id = models.CharField(max_length=64, blank=True)  # Instagram
    external_id = models.CharField(max_length=64, blank=True)  # published post or media id
    comment_id = models.CharField(max_length=64, blank=True)  # Instagram first comment
    permalink = models.URLField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    container_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["post", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["post", "channel"], name="one_row_per_post_channel")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} of {self.post}"
