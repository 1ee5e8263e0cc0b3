"""Failed publishing reaches the staff digest, with the platform's error."""

import pytest
from django.core import mail
from django.utils import timezone

from reconciliation.digest import digest_send
from social.models import ChannelStatus, PostChannel, PostStatus

pytestmark = pytest.mark.django_db


def test_a_failed_channel_is_a_line_in_the_staff_digest(compose, operator):
    post = compose(title="Launch day")
    post.status = PostStatus.PARTIAL
    post.save()
    PostChannel.objects.create(
        post=post, channel="instagram", status=ChannelStatus.FAILED,
        error="Instagram refused the media: Error: Media download failed (2207026)",
        failed_at=timezone.now(),
    )  # fmt: skip

    sent = digest_send()

    assert sent == 1
    body = mail.outbox[0].body
    assert "Social posts that failed to publish (last 24 hours): 1" in body
    assert "- Launch day (Instagram): Instagram refused the media" in body
