"""Render PRIVACY.md for /privacy: Markdown to sanitised HTML, cached per file mtime."""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import markdown
import nh3
from django.conf import settings

_LAST_UPDATED = re.compile(r"^\s*\**Last updated:?\**\s*(\d{4}-\d{2}-\d{2})\s*$", re.M | re.I)
_TITLE = re.compile(r"^#\s+(.+?)\s*$", re.M)
_ALLOWED_TAGS = {
    *("p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre"),
    *("blockquote", "a", "table", "thead", "tbody", "tr", "th", "td"),
}


@dataclass(frozen=True)
class RenderedPolicy:
    """The policy's title, its last-updated date and its body as safe HTML."""

    title: str
    last_updated: date
    body_html: str


class PolicyFormatError(Exception):
    """Raised when PRIVACY.md lacks its `Last updated: YYYY-MM-DD` line."""


def policy_path() -> Path:
    """Return where the policy lives: PRIVACY.md at the project root."""
    return Path(settings.BASE_DIR) / "PRIVACY.md"


def policy_rendered(path: Path | None = None) -> RenderedPolicy:
    """Return the rendered policy, re-rendering only when the file changes."""
    path = path or policy_path()
    return _render_cached(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _render_cached(path: str, mtime_ns: int) -> RenderedPolicy:
    return policy_render(Path(path).read_text(encoding="utf-8"))


def policy_render(text: str) -> RenderedPolicy:
    """Split off the title and date, then render and sanitise the rest."""
    found = _LAST_UPDATED.search(text)
    if found is None:
        raise PolicyFormatError("PRIVACY.md needs a line 'Last updated: YYYY-MM-DD'")
    title = _TITLE.search(text)
    body = _TITLE.sub("", _LAST_UPDATED.sub("", text, count=1), count=1)
    return RenderedPolicy(
        title=title.group(1) if title else "Privacy policy",
        last_updated=date.fromisoformat(found.group(1)),
        body_html=_sanitise(markdown.markdown(body, extensions=["tables"])),
    )


def _sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"https", "http", "mailto"},
        link_rel="noopener noreferrer",
    )
