"""Check a post against each channel's rules before it may be approved.

Problems come back keyed by the composer's field names, so each shows beside its field.
`quick=True` leaves out the checks that read the network or count the schedule (the
autosave runs the quick ones on every pause in typing).
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from integrations.models import SocialChannel, SocialPost
from social import content
from social.images import ImageInfo, ImageUnreadable, image_probe
from social.models import Channel, ChannelStatus, Post, PostChannel, PostStatus

Problems = dict[str, list[str]]
Probe = Callable[[str], ImageInfo]
DAY = timedelta(hours=24)
# Statuses whose Instagram channel takes a place in the publishing quota.
QUOTA_STATUSES = (PostStatus.SCHEDULED, PostStatus.PUBLISHING)


def post_problems(post: Post, *, quick: bool = False, probe: Probe = image_probe) -> Problems:
    """Return every rule the post breaks, by field; empty means it may be approved."""
    found: Problems = defaultdict(list)
    if not post.channel_list:
        found["channels"].append("Choose at least one channel.")
    if Channel.FACEBOOK in post.channel_list:
        _facebook(post, found)
    if Channel.INSTAGRAM in post.channel_list:
        _instagram(post, found)
        if not quick:
            _instagram_image(post, found, probe)
            _instagram_quota(post, found)
    if not quick:
        _time(post, found)
    return {field: messages for field, messages in found.items() if messages}


def _facebook(post: Post, found: Problems) -> None:
    message = post.caption_facebook
    if not message.strip() and not post.link:
        found["caption_facebook"].append("Facebook needs a message or a link.")
    if len(message) > content.FB_MESSAGE_MAX:
        found["caption_facebook"].append(
            f"Facebook allows {content.FB_MESSAGE_MAX:,} characters; this has {len(message):,}."
        )
    if post.link and not post.link.lower().startswith(("http://", "https://")):
        found["link"].append("The link must start with http:// or https://.")
    if not post.link and len(set(content.links_in(message))) > 1:
        found["link"].append(
            "Facebook previews one link: put the one to preview in the Link field."
        )


def _instagram(post: Post, found: Problems) -> None:
    caption = post.caption_instagram
    if len(caption) > content.IG_CAPTION_MAX:
        found["caption_instagram"].append(
            f"Instagram allows {content.IG_CAPTION_MAX:,} characters; this has {len(caption):,}."
        )
    tags = len(content.hashtags(caption))
    if tags > content.IG_HASHTAGS_MAX:
        found["caption_instagram"].append(
            f"Instagram allows {content.IG_HASHTAGS_MAX} hashtags; this has {tags}."
        )
    if len(post.first_comment) > content.IG_COMMENT_MAX:
        found["first_comment"].append(
            f"A comment may have {content.IG_COMMENT_MAX:,} characters at most."
        )
    if not post.image_urls:
        found["image_urls"].append("Instagram needs an image.")
    elif len(post.image_urls) > 1:
        found["image_urls"].append("Give one image: carousels are not published from here.")


def _instagram_image(post: Post, found: Problems, probe: Probe) -> None:
    if len(post.image_urls) != 1:
        return
    try:
        info = probe(str(post.image_urls[0]))
    except ImageUnreadable as error:
        found["image_urls"].append(str(error))
        return
    if info.format != "jpeg":
        found["image_urls"].append(f"Instagram publishes JPEG images; this is {info.format}.")
    if not content.ratio_ok(info.width, info.height):
        found["image_urls"].append(
            f"Instagram accepts aspect ratios from 4:5 to 1.91:1; "
            f"this image is {info.width}x{info.height} ({info.width / max(info.height, 1):.2f}:1)."
        )


def _time(post: Post, found: Problems) -> None:
    if post.scheduled_at is None:
        found["scheduled_at"].append("Choose when to publish.")
    elif post.scheduled_at <= timezone.now():
        found["scheduled_at"].append("This time has passed; choose a later one.")


def _instagram_quota(post: Post, found: Problems) -> None:
    if post.scheduled_at is None:
        return
    used = instagram_quota_used(post.scheduled_at, exclude_post_id=post.pk)
    if used >= content.IG_PUBLISH_QUOTA:
        found["scheduled_at"].append(
            f"Instagram allows {content.IG_PUBLISH_QUOTA} posts in 24 hours; {used} are already "
            "scheduled or published within 24 hours of this time."
        )


def instagram_quota_used(at: datetime, *, exclude_post_id: int | None = None) -> int:
    """Return the most Instagram posts in a 24-hour window starting or ending at `at`."""
    times = _instagram_times(at - DAY, at + DAY, exclude_post_id)
    # The two windows that end and start at `at`: a post there must fit both.
    before = sum(1 for t in times if at - DAY < t <= at)
    after = sum(1 for t in times if at <= t < at + DAY)
    return max(before, after)


def _instagram_times(start: datetime, end: datetime, exclude_post_id: int | None) -> list[datetime]:
    """Return when each Instagram post in the range was or will be published."""
    ours = (
        PostChannel.objects.filter(channel=Channel.INSTAGRAM)
        .filter(Q(status=ChannelStatus.PUBLISHED) | Q(post__status__in=QUOTA_STATUSES))
        .exclude(status=ChannelStatus.FAILED)
        .annotate(at=Coalesce(F("published_at"), F("post__scheduled_at")))
        .filter(at__gt=start, at__lt=end)
    )
    if exclude_post_id is not None:
        ours = ours.exclude(post_id=exclude_post_id)
    known = set(PostChannel.objects.exclude(external_id="").values_list("external_id", flat=True))
    synced = SocialPost.objects.filter(
        channel=SocialChannel.INSTAGRAM, published_at__gt=start, published_at__lt=end
    ).exclude(external_id__in=known)
    return [row.at for row in ours] + list(synced.values_list("published_at", flat=True))
