"""What a post says, as the platforms count it: limits, hashtags and the content hash."""

import hashlib
import json
import re
from typing import Any

IG_CAPTION_MAX = 2_200
IG_HASHTAGS_MAX = 30
IG_COMMENT_MAX = 2_200
IG_PUBLISH_QUOTA = 50  # API-published posts per rolling 24 hours per account
FB_MESSAGE_MAX = 63_206
# Instagram feed images: from 4:5 (portrait) to 1.91:1 (landscape).
IG_RATIO_MIN = 4 / 5
IG_RATIO_MAX = 1.91
HASHTAG = re.compile(r"(?<![\w&])#\w+", re.UNICODE)
URL = re.compile(r"https?://\S+", re.IGNORECASE)


def hashtags(text: str) -> list[str]:
    """Return the hashtags in a caption, as Instagram counts them."""
    return HASHTAG.findall(text)


def links_in(text: str) -> list[str]:
    """Return the http(s) links written in a message."""
    return URL.findall(text)


def content_hash(content: dict[str, Any]) -> str:
    """Return the SHA-256 of a post's canonical content."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def ratio_ok(width: int, height: int) -> bool:
    """Say whether Instagram accepts an image of this size for the feed."""
    if width <= 0 or height <= 0:
        return False
    ratio = width / height
    # A hair of tolerance: 1080x1350 is exactly 4:5, 1080x566 rounds to 1.91.
    return IG_RATIO_MIN - 0.005 <= ratio <= IG_RATIO_MAX + 0.005
