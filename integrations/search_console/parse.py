"""Parse Search Console answers at the boundary: raw JSON -> frozen, checked records.

Metrics arrive as JSON doubles: clicks and impressions must be whole, non-negative and
finite; position must be finite and at least 1; a row's `keys` follow the requested
dimensions one for one. Anything else is refused as MalformedAnswer, so nothing half-read
reaches the database.
"""

import math
from dataclasses import dataclass
from typing import Any

from integrations.http import TransientError

PROVIDER = "search_console"
DEVICES = frozenset({"DESKTOP", "MOBILE", "TABLET"})
MAX_TEXT = 2000


class MalformedAnswer(TransientError):
    """Search Console answered something that is not the documented shape."""

    def __init__(self, message: str) -> None:
        super().__init__(message, provider=PROVIDER)


@dataclass(frozen=True)
class SiteRecord:
    """A property the credential can see, and how."""

    site_url: str
    permission_level: str

    @property
    def verified(self) -> bool:
        return self.permission_level in ("siteOwner", "siteFullUser", "siteRestrictedUser")


@dataclass(frozen=True)
class SearchRowRecord:
    """One query x page x country x device row of one day."""

    query: str
    page: str
    country: str
    device: str
    clicks: int
    impressions: int
    position: float


ROW_DIMENSIONS = ("query", "page", "country", "device")


def sites_parse(data: Any) -> list[SiteRecord]:
    """Parse a sites.list answer (no `siteEntry` key: no properties)."""
    entries = _object(data, "sites answer").get("siteEntry", [])
    if not isinstance(entries, list):
        raise MalformedAnswer("siteEntry is not a list")
    return [_site(entry) for entry in entries]


def _site(entry: Any) -> SiteRecord:
    found = _object(entry, "site entry")
    return SiteRecord(_text(found, "siteUrl"), _text(found, "permissionLevel"))


def rows_parse(data: Any, dimensions: tuple[str, ...] = ROW_DIMENSIONS) -> list[SearchRowRecord]:
    """Parse a searchAnalytics.query answer grouped by query, page, country and device."""
    if dimensions != ROW_DIMENSIONS:
        raise ValueError("rows_parse reads rows grouped by query, page, country and device")
    rows = _object(data, "query answer").get("rows", [])  # no `rows` key: nothing matched
    if not isinstance(rows, list):
        raise MalformedAnswer("rows is not a list")
    return [_row(row) for row in rows]


def _row(raw: Any) -> SearchRowRecord:
    row = _object(raw, "row")
    keys = row.get("keys")
    if not isinstance(keys, list) or len(keys) != 4 or not all(isinstance(k, str) for k in keys):
        raise MalformedAnswer("a row's keys do not match the dimensions asked for")
    query, page, country, device = (k[:MAX_TEXT] for k in keys)
    if device.upper() not in DEVICES or not 2 <= len(country) <= 3:
        raise MalformedAnswer("a row has an unknown device or country")
    return SearchRowRecord(
        query=query,
        page=page,
        country=country.lower(),
        device=device.upper(),
        clicks=_count(row, "clicks"),
        impressions=_count(row, "impressions"),
        position=_position(row),
    )


def _count(row: dict[str, Any], name: str) -> int:
    value = _number(row, name)
    if value < 0 or value != int(value) or value > 2**31 - 1:
        raise MalformedAnswer(f"{name} is not a whole, non-negative count")
    return int(value)


def _position(row: dict[str, Any]) -> float:
    value = _number(row, "position")
    if value < 1:
        raise MalformedAnswer("position is below 1")
    return value


def _number(row: dict[str, Any], name: str) -> float:
    value = row.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedAnswer(f"{name} is missing or not a number")
    if not math.isfinite(value):
        raise MalformedAnswer(f"{name} is not finite")
    return float(value)


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedAnswer(f"the {what} is not an object")
    return value


def _text(found: dict[str, Any], name: str) -> str:
    value = found.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedAnswer(f"{name} is missing")
    return value[:MAX_TEXT]
