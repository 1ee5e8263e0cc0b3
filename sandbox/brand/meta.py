"""The brand on Meta: ad accounts, campaigns, ad sets, daily insights, Page posts, IG media.

    meta = MetaBrand(seed=7, scale="demo", anchor=date(2026, 11, 20))
    account = meta.accounts[0]                          # USD, America/New_York
    rows, more = meta.insight_rows(meta.campaigns_of(account), since, until, limit=500)
    meta.advance(timedelta(days=3))                      # late conversions keep arriving
    meta.insights_truth(account, since, until)           # what a faithful sync must store

Campaigns advertise catalog products. Each campaign-day is drawn on demand from the seed and
its (campaign, day) index, so 18 months at bench scale cost no memory. Impressions, clicks and
spend are final once the account-local day ends; purchases keep arriving for 28 days after it
(attribution "7d_click_1d_view" with late pixel events), so a re-read of a recent day as of a
later `now` shows more purchases, and a day older than 28 days never changes again.
"""

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.brand.catalog import Catalog, Product, catalog_build
from sandbox.brand.seeds import money, stream, unit

JSON = dict[str, Any]
WINDOW_DAYS = 548  # 18 months, like the orders calendar
LATE_DAYS = 28
ATTRIBUTION = "7d_click_1d_view"
OBJECTIVES = (
    "OUTCOME_SALES", "OUTCOME_TRAFFIC", "OUTCOME_SALES", "OUTCOME_ENGAGEMENT",
    "OUTCOME_AWARENESS", "OUTCOME_SALES", "OUTCOME_LEADS",
)  # fmt: skip
SCALE_CAMPAIGNS = {"demo": 12, "bench": 700}  # bench: about 220k campaign-days
ZERO_DECIMAL = frozenset({"JPY", "KRW", "CLP", "COP", "HUF", "IDR", "ISK", "PYG", "TWD", "VND"})
PURCHASE_TYPES = ("purchase", "omni_purchase", "offsite_conversion.fb_pixel_purchase")
_MONTH = {1: 0.85, 2: 0.8, 3: 0.9, 4: 0.92, 5: 1.0, 6: 0.75, 7: 0.7, 8: 0.72, 9: 0.92,
          10: 1.1, 11: 1.5, 12: 1.7}  # fmt: skip
_WEEKDAY = (1.05, 1.04, 1.02, 1.0, 0.97, 0.9, 0.95)


@dataclass(frozen=True, slots=True)
class MetaAccount:
    """One ad account; costs scale by `minor_per_cent` so yen campaigns cost about as much."""

    index: int
    account_id: str
    name: str
    currency: str
    time_zone: str
    minor_per_cent: float
    campaign_count: int

    @property
    def act_id(self) -> str:
        """Return the id with Meta's act_ prefix."""
        return f"act_{self.account_id}"

    def spend_string(self, minor: int) -> str:
        """Format minor units as Meta's decimal string in major units."""
        return str(minor) if self.currency in ZERO_DECIMAL else money(minor)


@dataclass(frozen=True, slots=True)
class MetaCampaign:
    """One campaign and the draws that shape its days."""

    index: int
    account: MetaAccount
    campaign_id: str
    name: str
    product: Product
    objective: str
    status: str
    daily_budget: int | None
    lifetime_budget: int | None
    first_day: date
    last_day: date | None  # None: still delivering
    cpm: int  # minor units per thousand impressions
    ctr: float
    cvr: float
    price: int  # minor units of the advertised product

    @property
    def level(self) -> int:
        """Return the typical daily spend in minor units."""
        if self.daily_budget is not None:
            return self.daily_budget
        span = ((self.last_day or self.first_day + timedelta(days=90)) - self.first_day).days
        return (self.lifetime_budget or 0) // max(span, 1)


@dataclass(frozen=True, slots=True)
class AdSetSpec:
    """One ad set of a campaign, holding its targeting."""

    adset_id: str
    campaign: MetaCampaign
    name: str
    targeting: JSON
    daily_budget: int | None


@dataclass(frozen=True, slots=True)
class DayMetrics:
    """A campaign's final numbers for one day (purchases as they stand 28 days later)."""

    campaign: MetaCampaign
    day: date
    impressions: int
    clicks: int
    spend_minor: int
    purchases: int
    value_minor: int

    def purchases_after(self, days: int) -> int:
        """Return the purchases reported `days` after the day (1 = the day after)."""
        if days >= LATE_DAYS:
            return self.purchases
        late = self.purchases * 45 * (LATE_DAYS - days) ** 2 // (100 * LATE_DAYS**2)
        return self.purchases - late

    def value_after(self, days: int) -> int:
        """Return the purchase value (minor units) reported `days` after the day."""
        seen = self.purchases_after(days)
        return self.value_minor * seen // self.purchases if self.purchases else 0


@dataclass(frozen=True, slots=True)
class InsightRow:
    """One row of a campaign-level, daily insights report, as of some moment."""

    key: tuple[int, int]  # (day ordinal, campaign position): the paging order
    metrics: DayMetrics
    age_days: int

    def json(self, fields: Sequence[str], windows: Sequence[str]) -> JSON:
        """Render the row the way the Insights API does: every number a string."""
        m, c = self.metrics, self.metrics.campaign
        seen, value = m.purchases_after(self.age_days), m.value_after(self.age_days)
        full: JSON = {
            "account_id": c.account.account_id,
            "account_currency": c.account.currency,
            "campaign_id": c.campaign_id,
            "campaign_name": c.name,
            "objective": c.objective,
            "impressions": str(m.impressions),
            "clicks": str(m.clicks),
            "spend": c.account.spend_string(m.spend_minor),
            "attribution_setting": ATTRIBUTION,
            "actions": _actions(m.clicks, seen, windows),
            "action_values": _action_values(c.account, value, seen, windows),
            "conversions": _actions(0, seen, windows),
        }
        row = {k: v for k, v in full.items() if k in fields and v != []}
        return {**row, "date_start": m.day.isoformat(), "date_stop": m.day.isoformat()}


@dataclass(frozen=True, slots=True)
class InsightsTotals:
    """Sums over a range, as a sync must store them."""

    rows: int
    impressions: int
    clicks: int
    spend_minor: int
    purchases: int
    value_minor: int


@dataclass(frozen=True, slots=True)
class SocialItem:
    """One Page post or Instagram media item and its lifetime counters when mature."""

    channel: str  # "facebook" or "instagram"
    index: int
    item_id: str
    created: datetime
    text: str
    media_type: str
    product: Product
    reach: int
    impressions: int
    likes: int
    comments: int
    shares: int
    saves: int
    clicks: int

    def grown(self, now: datetime) -> float:
        """Return how much of its lifetime audience the item has reached by `now`."""
        age = (now - self.created).total_seconds() / 86_400
        return max(0.0, min(1.0, (age + 1) / 8))


class MetaBrand:
    """Deterministic Meta data for one brand seed; `now` moves with `advance`."""

    def __init__(
        self,
        *,
        seed: int = 1,
        scale: str = "demo",
        anchor: datetime,
        catalog: Catalog | None = None,
    ) -> None:
        self.seed = seed
        self.scale = scale
        self.anchor = anchor
        self.now = anchor
        self.catalog = catalog or catalog_build(seed=seed)
        self.accounts = (
            MetaAccount(
                0, _digits(seed, "account", 0, 15), "Flux Engineering", "USD",
                "America/New_York", 1.0, SCALE_CAMPAIGNS[scale],
            ),
            MetaAccount(
                1, _digits(seed, "account", 1, 15), "Flux Engineering Japan", "JPY",
                "Asia/Tokyo", 1.5, 3,
            ),
        )  # fmt: skip
        self.page_id = _digits(seed, "page", 0, 15)
        self.page_name = "Flux Engineering"
        self.ig_user_id = "1784" + _digits(seed, "ig-user", 0, 13)
        self.ig_username = "flux.engineering"

    def advance(self, delta: timedelta) -> None:
        """Move the sandbox's notion of now (late conversions arrive, new days appear)."""
        self.now = self.now + delta

    # Ad accounts and campaigns

    def account(self, act_or_id: str) -> MetaAccount | None:
        """Return the account with this id (with or without act_), or None."""
        bare = act_or_id.removeprefix("act_")
        return next((a for a in self.accounts if a.account_id == bare), None)

    def local_today(self, account: MetaAccount) -> date:
        """Return the account-local date of `now`."""
        return self.now.astimezone(ZoneInfo(account.time_zone)).date()

    def window_start(self, account: MetaAccount) -> date:
        """Return the first day of the 18 months of history."""
        return self.anchor.astimezone(ZoneInfo(account.time_zone)).date() - timedelta(
            days=WINDOW_DAYS
        )

    @cached_property
    def campaigns(self) -> tuple[MetaCampaign, ...]:
        """Return every campaign of every account, in account then creation order."""
        found: list[MetaCampaign] = []
        for account in self.accounts:
            for n in range(account.campaign_count):
                found.append(self._campaign(account, len(found), n))
        return tuple(found)

    @cached_property
    def _by_id(self) -> dict[str, MetaCampaign]:
        return {c.campaign_id: c for c in self.campaigns}

    def campaign(self, campaign_id: str) -> MetaCampaign | None:
        """Return the campaign with this id, or None."""
        return self._by_id.get(campaign_id)

    def campaigns_of(self, account: MetaAccount) -> tuple[MetaCampaign, ...]:
        """Return an account's campaigns."""
        return tuple(c for c in self.campaigns if c.account == account)

    def _campaign(self, account: MetaAccount, index: int, n: int) -> MetaCampaign:
        """Draw campaign `n` of `account` (global `index`)."""
        rng = stream(self.seed, "meta-campaign", index)
        product = self.catalog.products[(n * 7 + account.index * 3) % len(self.catalog.products)]
        objective = OBJECTIVES[n % len(OBJECTIVES)]
        status = "PAUSED" if n % 5 == 3 else ("ARCHIVED" if n % 11 == 10 else "ACTIVE")
        start = self.window_start(account) + timedelta(
            days=0 if n % 3 == 0 else rng.randrange(0, WINDOW_DAYS - 120)
        )
        last = None if status == "ACTIVE" else start + timedelta(days=rng.randrange(45, 120))
        budget = round(rng.randrange(1500, 15000, 100) * account.minor_per_cent)
        lifetime = n % 6 == 5
        return MetaCampaign(
            index=index,
            account=account,
            campaign_id="1202" + _digits(self.seed, "campaign", index, 14),
            name=f"{product.name} | {objective.removeprefix('OUTCOME_').title()} | {n + 1:03d}",
            product=product,
            objective=objective,
            status=status,
            daily_budget=None if lifetime else budget,
            lifetime_budget=budget * 60 if lifetime else None,
            first_day=start,
            last_day=last,
            cpm=round(rng.randrange(600, 1600) * account.minor_per_cent),
            ctr=rng.uniform(0.008, 0.022),
            cvr=rng.uniform(0.01, 0.045) * (1.0 if objective == "OUTCOME_SALES" else 0.3),
            price=round(product.variants[0].price * account.minor_per_cent),
        )

    def created_time(self, campaign: MetaCampaign) -> str:
        """Return when the campaign was created, Meta-style (numeric offset)."""
        moment = datetime.combine(campaign.first_day, time(9), ZoneInfo(campaign.account.time_zone))
        return moment.strftime("%Y-%m-%dT%H:%M:%S%z")

    def ad_sets(self, campaign: MetaCampaign) -> list[AdSetSpec]:
        """Return a campaign's ad sets (one or two), where its targeting lives."""
        count = 2 if campaign.index % 2 else 1
        return [self._ad_set(campaign, k) for k in range(count)]

    def _ad_set(self, campaign: MetaCampaign, k: int) -> AdSetSpec:
        rng = stream(self.seed, "meta-adset", campaign.index, k)
        countries = ["JP"] if campaign.account.currency == "JPY" else ["US", "CA"][: 1 + k]
        targeting: JSON = {
            "age_min": rng.choice((18, 21, 25, 30)),
            "age_max": rng.choice((45, 54, 65)),
            "geo_locations": {"countries": countries, "location_types": ["home", "recent"]},
            "flexible_spec": [{"interests": _interests(campaign.product)}],
        }
        if rng.random() < 0.3:
            targeting["genders"] = [rng.choice((1, 2))]
        return AdSetSpec(
            adset_id="1202" + _digits(self.seed, "adset", campaign.index * 4 + k, 14),
            campaign=campaign,
            name=f"{campaign.product.name} - {'Broad' if k == 0 else 'Lookalike'}",
            targeting=targeting,
            daily_budget=None,  # campaign budget optimisation: the budget lives on the campaign
        )

    # Insights

    def day_metrics(self, campaign: MetaCampaign, day: date) -> DayMetrics | None:
        """Return a campaign's final numbers for `day`, or None when it did not deliver."""
        if day < campaign.first_day or (campaign.last_day and day > campaign.last_day):
            return None
        at = campaign.index << 20 | (day.toordinal() & 0xFFFFF)
        if unit(self.seed, "meta-dark", at) < 0.02:
            return None  # a day the ads did not serve: Meta returns no row
        season = _MONTH[day.month] * _WEEKDAY[day.weekday()]
        spend = int(campaign.level * season * (0.6 + 0.35 * unit(self.seed, "meta-spend", at)))
        impressions = spend * 1000 // campaign.cpm
        clicks = int(impressions * campaign.ctr * (0.8 + 0.4 * unit(self.seed, "meta-ctr", at)))
        drawn = clicks * campaign.cvr * (0.7 + 0.6 * unit(self.seed, "meta-cvr", at))
        purchases = int(drawn + unit(self.seed, "meta-round", at))
        basket = 1.0 + 0.5 * unit(self.seed, "meta-basket", at)
        value = round(purchases * campaign.price * basket)
        return DayMetrics(campaign, day, impressions, clicks, spend, purchases, value)

    def last_reported_day(self, account: MetaAccount) -> date:
        """Return the last day with numbers: the account's yesterday as of `now`."""
        return self.local_today(account) - timedelta(days=1)

    def insight_rows(
        self,
        campaigns: Sequence[MetaCampaign],
        since: date,
        until: date,
        *,
        after: tuple[int, int] | None = None,
        limit: int = 25,
    ) -> tuple[list[InsightRow], bool]:
        """Return up to `limit` rows by (day, campaign) after the key `after`; more to come?"""
        rows = list(_take(self.iter_rows(campaigns, since, until, after=after), limit + 1))
        return rows[:limit], len(rows) > limit

    def iter_rows(
        self,
        campaigns: Sequence[MetaCampaign],
        since: date,
        until: date,
        *,
        after: tuple[int, int] | None = None,
    ) -> Iterator[InsightRow]:
        """Yield rows in paging order, as of `now`, for days in [since, until]."""
        if not campaigns:
            return
        today = self.local_today(campaigns[0].account)
        last = min(until, today - timedelta(days=1))
        day = since if after is None else max(since, date.fromordinal(after[0]))
        while day <= last:
            for position, campaign in enumerate(campaigns):
                key = (day.toordinal(), position)
                metrics = None if after and key <= after else self.day_metrics(campaign, day)
                if metrics is not None:
                    yield InsightRow(key, metrics, (today - day).days)
            day += timedelta(days=1)

    def insights_truth(self, account: MetaAccount, since: date, until: date) -> InsightsTotals:
        """Return the totals a sync of [since, until] as of `now` must store."""
        sums = [0, 0, 0, 0, 0, 0]
        for row in self.iter_rows(self.campaigns_of(account), since, until):
            m = row.metrics
            seen, value = m.purchases_after(row.age_days), m.value_after(row.age_days)
            for i, v in enumerate((1, m.impressions, m.clicks, m.spend_minor, seen, value)):
                sums[i] += v
        return InsightsTotals(*sums)

    # Page posts and Instagram media

    def page_posts(self) -> list[SocialItem]:
        """Return the Page's posts published by `now`, newest first."""
        return self._social("facebook", 2.4)

    def ig_media(self) -> list[SocialItem]:
        """Return the Instagram account's media published by `now`, newest first."""
        return self._social("instagram", 1.8)

    def _social(self, channel: str, every_days: float) -> list[SocialItem]:
        start = datetime.combine(self.window_start(self.accounts[0]), time(14), UTC)
        count = int(((self.now - start).total_seconds() / 86_400) / every_days)
        items = (_social_item(self, channel, n, start, every_days) for n in range(count))
        return sorted((i for i in items if i.created <= self.now), key=_newest, reverse=True)


def _newest(item: SocialItem) -> tuple[datetime, int]:
    return item.created, item.index


def _social_item(
    brand: MetaBrand, channel: str, n: int, start: datetime, every_days: float
) -> SocialItem:
    """Draw post or media item `n` of a channel."""
    rng = stream(brand.seed, "meta-social", channel, n)
    product = brand.catalog.products[rng.randrange(len(brand.catalog.products))]
    created = start + timedelta(days=n * every_days, minutes=rng.randrange(0, 600))
    reach = rng.randrange(300, 9000)
    if channel == "facebook":
        item_id = f"{brand.page_id}_{_digits(brand.seed, 'post', n, 16)}"
        kind, text = "added_photos", f"New in the shop: {product.name}. {product.keywords[0]}!"
    else:
        item_id = "179" + _digits(brand.seed, "media", n, 14)
        kind = ("IMAGE", "CAROUSEL_ALBUM", "VIDEO")[n % 3]
        text = f"{product.name} on the bench. #engineering #{product.slug.replace('-', '')}"
    return SocialItem(
        channel, n, item_id, created, text, kind, product,
        reach=reach, impressions=int(reach * rng.uniform(1.1, 1.8)),
        likes=int(reach * rng.uniform(0.01, 0.06)), comments=rng.randrange(0, 40),
        shares=rng.randrange(0, 25), saves=rng.randrange(0, 60),
        clicks=int(reach * rng.uniform(0.005, 0.03)),
    )  # fmt: skip


def _actions(clicks: int, purchases: int, windows: Sequence[str]) -> list[JSON]:
    """Return Meta's action list: link clicks and the three equal purchase counts."""
    actions: list[JSON] = []
    if clicks:
        actions.append({"action_type": "link_click", "value": str(clicks)})
    if purchases:
        view = purchases * 15 // 100
        split = {"7d_click": str(purchases - view), "1d_view": str(view)}
        by_window = {w: split.get(w, "0") for w in windows}
        actions += [
            {"action_type": t, "value": str(purchases), **by_window} for t in PURCHASE_TYPES
        ]
    return actions


def _action_values(
    account: MetaAccount, value: int, purchases: int, windows: Sequence[str]
) -> list[JSON]:
    """Return the purchase values as decimal strings in major units."""
    if not purchases:
        return []
    view = value * 15 // 100
    split = {"7d_click": value - view, "1d_view": view}
    by_window = {w: account.spend_string(split.get(w, 0)) for w in windows}
    text = account.spend_string(value)
    return [{"action_type": t, "value": text, **by_window} for t in PURCHASE_TYPES]


def _interests(product: Product) -> list[JSON]:
    return [
        {
            "id": "600" + str(int(hashlib.blake2b(k.encode(), digest_size=8).hexdigest(), 16))[:10],
            "name": k.title(),
        }
        for k in product.keywords
    ]


def _digits(seed: int, kind: str, index: int, length: int) -> str:
    """Return a numeric id of `length` digits fixed by seed, kind and index."""
    number = int(hashlib.blake2b(f"{seed}:{kind}:{index}".encode(), digest_size=16).hexdigest(), 16)
    return str(10 ** (length - 1) + number % (9 * 10 ** (length - 1)))


def _take(rows: Iterator[InsightRow], n: int) -> Iterator[InsightRow]:
    for i, row in enumerate(rows):
        if i >= n:
            return
        yield row
