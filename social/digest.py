"""The staff digest's "social failures" section: channels that failed in the last day."""

from datetime import datetime, timedelta

from django.utils import timezone

from social.selectors import targets_failed_since


def social_failure_lines(*, now: datetime | None = None) -> list[str]:
    """Return one line per channel that failed to publish in the 24 hours before `now`."""
    since = (now or timezone.now()) - timedelta(days=1)
    return [f"{t.post} ({t.get_channel_display()}): {t.error}" for t in targets_failed_since(since)]
