"""Graph API answers -> typed, frozen records; nothing past this module touches raw dicts.

Meta sends every number as a string. Budgets are strings of minor units (the currency's
"offset": 100 for USD, 1 for JPY); spend and action values are decimal strings in major
units, converted to micros exactly through Decimal. A missing required key or a number that
does not parse is a `MalformedResponse`, a transient error: a garbled page is retried later.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.http import TransientError

PROVIDER = "meta"
ZERO_DECIMAL = frozenset(
    {"JPY", "KRW", "CLP", "COP", "HUF", "IDR", "ISK", "PYG", "TWD", "VND", "CRC"}
)
# Meta reports one purchase under several names; "purchase" is the deduplicated one.
PURCHASE_ACTIONS = ("purchase", "omni_purchase", "offsite_conversion.fb_pixel_purchase")
STATUS_NORMAL = {
    "ACTIVE": "ACTIVE",
    "PAUSED": "PAUSED",
    "DELETED": "REMOVED",
    "ARCHIVED": "REMOVED",
}


class MalformedResponse(TransientError):
    """Meta answered with something that is not the documented shape."""


def _bad(what: str) -> MalformedResponse:
    return MalformedResponse(f"malformed answer: {what}", provider=PROVIDER)


def currency_offset(currency: str) -> int:
    """Return how many budget units make one unit of `currency` (Meta's offset)."""
    return 1 if currency.upper() in ZERO_DECIMAL else 100


@dataclass(frozen=True)
class AdAccountInfo:
    act_id: str
    name: str
    currency: str
    time_zone: str


@dataclass(frozen=True)
class CampaignInfo:
    campaign_id: str
    name: str
    status: str
    effective_status: str
    objective: str
    daily_budget: int | None
    lifetime_budget: int | None
    start_date: date | None


@dataclass(frozen=True)
class AdSetInfo:
    adset_id: str
    campaign_id: str
    name: str
    status: str
    daily_budget: int | None
    targeting: dict[str, Any]
    targeting_summary: str


@dataclass(frozen=True)
class InsightDay:
    campaign_id: str
    campaign_name: str
    day: date
    impressions: int
    clicks: int
    spend_micros: int
    purchases: Decimal
    purchase_value_micros: int
    attribution_setting: str


@dataclass(frozen=True)
class PageInfo:
    page_id: str
    name: str
    access_token: str


@dataclass(frozen=True)
class SocialItem:
    channel: str
    external_id: str
    published_at: datetime
    text: str
    permalink: str
    media_type: str
    likes: int = 0
    comments: int = 0
    shares: int = 0
    saves: int = 0
    reach: int = 0
    impressions: int = 0
    engagement: int = 0


@dataclass(frozen=True)
class TokenInfo:
    is_valid: bool
    kind: str
    expires_at: datetime | None  # None: never expires
    scopes: tuple[str, ...]


# Field readers


def text(raw: Mapping[str, Any], key: str) -> str:
    """Return a required string field."""
    value = raw.get(key)
    if not isinstance(value, str):
        raise _bad(f"{key} missing")
    return value


def count(raw: Mapping[str, Any], key: str, default: int | None = None) -> int:
    """Return an integer sent as a string (or a number)."""
    value = raw.get(key)
    if value is None and default is not None:
        return default
    try:
        return int(str(value))
    except ValueError:
        raise _bad(f"{key} is not an integer") from None


def optional_count(raw: Mapping[str, Any], key: str) -> int | None:
    """Return an integer string field, or None when absent."""
    return None if raw.get(key) in (None, "") else count(raw, key)


def micros(value: object, what: str) -> int:
    """Convert a decimal string in major units to integer micros, exactly."""
    try:
        scaled = Decimal(str(value)) * 1_000_000
    except InvalidOperation:
        raise _bad(f"{what} is not a decimal") from None
    if scaled != scaled.to_integral_value():
        raise _bad(f"{what} has more than six decimals")
    return int(scaled)


def meta_time(value: str) -> datetime:
    """Parse Meta's ISO-8601 timestamps with a numeric offset (2026-11-01T10:00:00-0700)."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
    except ValueError:
        raise _bad(f"timestamp {value!r}") from None


# Records


def ad_account(raw: Mapping[str, Any]) -> AdAccountInfo:
    """Parse an ad account node."""
    return AdAccountInfo(
        act_id=text(raw, "id"),
        name=text(raw, "name"),
        currency=text(raw, "currency"),
        time_zone=text(raw, "timezone_name"),
    )


def campaign(raw: Mapping[str, Any]) -> CampaignInfo:
    """Parse a campaign node; budgets stay in minor units (the account's offset)."""
    start = raw.get("start_time") or raw.get("created_time")
    return CampaignInfo(
        campaign_id=text(raw, "id"),
        name=text(raw, "name"),
        status=text(raw, "status"),
        effective_status=str(raw.get("effective_status") or raw["status"]),
        objective=str(raw.get("objective") or ""),
        daily_budget=optional_count(raw, "daily_budget"),
        lifetime_budget=optional_count(raw, "lifetime_budget"),
        start_date=_local_date(start) if isinstance(start, str) else None,
    )


def _local_date(value: str) -> date:
    """Return the date as written (the account-local day), ignoring the offset."""
    meta_time(value)  # validate the whole stamp
    return date.fromisoformat(value[:10])


def ad_set(raw: Mapping[str, Any]) -> AdSetInfo:
    """Parse an ad set with its targeting."""
    targeting = raw.get("targeting") or {}
    if not isinstance(targeting, dict):
        raise _bad("targeting is not an object")
    return AdSetInfo(
        adset_id=text(raw, "id"),
        campaign_id=text(raw, "campaign_id"),
        name=text(raw, "name"),
        status=str(raw.get("effective_status") or raw.get("status") or ""),
        daily_budget=optional_count(raw, "daily_budget"),
        targeting=targeting,
        targeting_summary=targeting_summary(targeting),
    )


def targeting_summary(targeting: Mapping[str, Any]) -> str:
    """Describe targeting in one line: ages, genders, places, interests."""
    ages = f"ages {targeting.get('age_min', 18)}-{targeting.get('age_max', 65)}"
    genders = {1: "men", 2: "women"}
    who = ", ".join(genders.get(g, "all") for g in targeting.get("genders", [])) or "all genders"
    geo = targeting.get("geo_locations") or {}
    places = "/".join(geo.get("countries", [])) or "anywhere"
    names = [
        str(i.get("name"))
        for spec in targeting.get("flexible_spec", [])
        for i in spec.get("interests", [])
    ]
    interests = f"; interests: {', '.join(names)}" if names else ""
    return f"{ages}, {who}, {places}{interests}"


def insight_day(raw: Mapping[str, Any]) -> InsightDay:
    """Parse one campaign-day insights row."""
    start, stop = text(raw, "date_start"), text(raw, "date_stop")
    if start != stop:
        raise _bad("an insights row spans more than one day")
    try:
        day = date.fromisoformat(start)
    except ValueError:
        raise _bad("date_start") from None
    return InsightDay(
        campaign_id=text(raw, "campaign_id"),
        campaign_name=str(raw.get("campaign_name") or ""),
        day=day,
        impressions=count(raw, "impressions", 0),
        clicks=count(raw, "clicks", 0),
        spend_micros=micros(raw.get("spend", "0"), "spend"),
        purchases=_purchases(raw.get("actions")),
        purchase_value_micros=_purchase_value(raw.get("action_values")),
        attribution_setting=str(raw.get("attribution_setting") or ""),
    )


def _action(actions: object) -> Mapping[str, Any] | None:
    """Return the purchase entry of an actions list (absent list: no actions that day)."""
    if actions is None:
        return None
    if not isinstance(actions, list):
        raise _bad("actions is not a list")
    by_type = {a.get("action_type"): a for a in actions if isinstance(a, dict)}
    return next((by_type[t] for t in PURCHASE_ACTIONS if t in by_type), None)


def _purchases(actions: object) -> Decimal:
    entry = _action(actions)
    if entry is None:
        return Decimal(0)
    try:
        return Decimal(str(entry.get("value")))
    except InvalidOperation:
        raise _bad("purchase count") from None


def _purchase_value(values: object) -> int:
    entry = _action(values)
    return 0 if entry is None else micros(entry.get("value"), "purchase value")


def page(raw: Mapping[str, Any]) -> PageInfo:
    """Parse a Page from /me/accounts, with its Page access token."""
    return PageInfo(text(raw, "id"), text(raw, "name"), text(raw, "access_token"))


def insight_values(raw: Mapping[str, Any]) -> dict[str, int]:
    """Parse an object's lifetime insights into {metric: value}."""
    data = raw.get("data")
    if not isinstance(data, list):
        raise _bad("insights data")
    values: dict[str, int] = {}
    for entry in data:
        points = entry.get("values") or [{}]
        values[text(entry, "name")] = count(points[-1], "value", 0)
    return values


def page_post(raw: Mapping[str, Any], metrics: Mapping[str, int]) -> SocialItem:
    """Parse a Page post and its insights."""
    likes = metrics.get("post_reactions_like_total", 0)
    comments = count((raw.get("comments") or {}).get("summary") or {}, "total_count", 0)
    shares = count(raw.get("shares") or {}, "count", 0)
    return SocialItem(
        channel="facebook",
        external_id=text(raw, "id"),
        published_at=meta_time(text(raw, "created_time")),
        text=str(raw.get("message") or ""),
        permalink=str(raw.get("permalink_url") or ""),
        media_type=str(raw.get("status_type") or ""),
        likes=likes,
        comments=comments,
        shares=shares,
        reach=metrics.get("post_impressions_unique", 0),
        impressions=metrics.get("post_impressions", 0),
        engagement=metrics.get("post_clicks", 0) + likes + comments + shares,
    )


def ig_media(raw: Mapping[str, Any], metrics: Mapping[str, int]) -> SocialItem:
    """Parse an Instagram media item and its insights."""
    return SocialItem(
        channel="instagram",
        external_id=text(raw, "id"),
        published_at=meta_time(text(raw, "timestamp")),
        text=str(raw.get("caption") or ""),
        permalink=str(raw.get("permalink") or ""),
        media_type=str(raw.get("media_type") or ""),
        likes=metrics.get("likes", count(raw, "like_count", 0)),
        comments=metrics.get("comments", count(raw, "comments_count", 0)),
        shares=metrics.get("shares", 0),
        saves=metrics.get("saved", 0),
        reach=metrics.get("reach", 0),
        impressions=metrics.get("views", 0),
        engagement=metrics.get("total_interactions", 0),
    )


def token_info(raw: Mapping[str, Any]) -> TokenInfo:
    """Parse debug_token's data; expires_at 0 means the token never expires."""
    data = raw.get("data")
    if not isinstance(data, dict):
        raise _bad("debug_token data")
    expires = count(data, "expires_at", 0)
    return TokenInfo(
        is_valid=bool(data.get("is_valid")),
        kind=str(data.get("type") or ""),
        expires_at=datetime.fromtimestamp(expires, UTC) if expires else None,
        scopes=tuple(str(s) for s in data.get("scopes") or ()),
    )


def data_list(body: object) -> Sequence[Mapping[str, Any]]:
    """Return the `data` list of an edge answer."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise _bad("no data list")
    return data
