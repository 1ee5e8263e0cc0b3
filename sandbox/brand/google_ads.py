"""Flux Engineering's Google Ads account: campaigns over the catalog, daily metrics, search terms.

    ads = GoogleAdsBrand(seed=1, scale="demo", anchor=date(2026, 11, 20))
    ads.campaigns                        # ~10 (demo) or ~490 (bench) search/shopping campaigns
    ads.day(campaign, date(2026, 11, 3)) # the metrics Google reports for that day, or None
    ads.as_of = date(2026, 11, 25)       # move "now": late conversions arrive, new days appear
    ads.truth(start, end)                # counts and sums over a range, as reported now

Days run for 18 months up to the day before `as_of` (account-local days in the account's time
zone). A day's conversions keep arriving for 30 days after it ends, so the same day reports
more conversions (and value) as `as_of` moves on, then never changes again. Every number is
drawn on demand from (seed, campaign, day), so the bench scale (~220k campaign-days) costs no
memory. Conversions are fractional (data-driven attribution) in hundredths; values in cents.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from sandbox.brand.catalog import Catalog, Product, catalog_build
from sandbox.brand.seeds import digest, unit

HISTORY_DAYS = 548  # 18 months
CONVERSION_WINDOW_DAYS = 30
CAMPAIGN_COUNTS = {"demo": 10, "bench": 492}
BRAND_TERM = "flux engineering"
STATUSES = ("ENABLED", "PAUSED")


@dataclass(frozen=True, slots=True)
class AdsCampaign:
    """One campaign and its (unshared) budget."""

    index: int
    id: int
    name: str
    channel: str  # SEARCH or SHOPPING
    status: str
    budget_id: int
    budget_micros: int
    product_slug: str
    start: date
    end: date | None  # the last day it served (a paused campaign), or None
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AdsDay:
    """A campaign's metrics for one day, as reported at `as_of`."""

    campaign_id: int
    day: date
    impressions: int
    clicks: int
    cost_micros: int
    conversions_hundredths: int
    value_cents: int

    @property
    def conversions(self) -> float:
        """Return conversions as the API's double."""
        return self.conversions_hundredths / 100

    @property
    def conversions_value(self) -> float:
        """Return conversion value in account currency units, as the API's double."""
        return self.value_cents / 100


@dataclass(frozen=True, slots=True)
class AdsTermDay:
    """One search term's share of a campaign-day."""

    campaign_id: int
    day: date
    term: str
    impressions: int
    clicks: int
    cost_micros: int
    conversions_hundredths: int


@dataclass
class AdsTruth:
    """What a faithful sync of a date range must end up with."""

    rows: int = 0
    impressions: int = 0
    clicks: int = 0
    cost_micros: int = 0
    conversions: Decimal = field(default_factory=lambda: Decimal(0))
    value_cents: int = 0
    term_rows: int = 0


def arrived_permille(age_days: int) -> int:
    """Return how much of a day's conversions has arrived `age_days` after the day began."""
    if age_days > CONVERSION_WINDOW_DAYS:
        return 1000
    return 600 + 400 * (age_days - 1) // CONVERSION_WINDOW_DAYS


class GoogleAdsBrand:
    """The brand's one Google Ads customer, generated from the seed and the catalog."""

    currency = "USD"
    time_zone = "America/Los_Angeles"
    descriptive_name = "Flux Engineering"

    def __init__(
        self, *, seed: int, scale: str, anchor: date, catalog: Catalog | None = None
    ) -> None:
        self.seed = seed
        self.anchor = anchor
        self.as_of = anchor
        self.catalog = catalog or catalog_build(seed=seed)
        self.first_day = anchor - timedelta(days=HISTORY_DAYS)
        self.campaign_count = CAMPAIGN_COUNTS[scale]

    @cached_property
    def customer_id(self) -> str:
        """Return the ten-digit customer id (shown with dashes in the UI, never in the API)."""
        return str(
            1_000_000_000 + int.from_bytes(digest(self.seed, "gads-cid")[:8]) % 9_000_000_000
        )

    @cached_property
    def campaigns(self) -> tuple[AdsCampaign, ...]:
        """Return every campaign, mapped round-robin onto the catalog's products."""
        return tuple(self._campaign(i) for i in range(self.campaign_count))

    def campaign(self, campaign_id: int) -> AdsCampaign | None:
        """Return the campaign with `campaign_id`, or None."""
        return self._by_id.get(campaign_id)

    @cached_property
    def _by_id(self) -> dict[int, AdsCampaign]:
        return {c.id: c for c in self.campaigns}

    def _campaign(self, index: int) -> AdsCampaign:
        product = self._product_for(index)
        channel = "SHOPPING" if index % 3 == 2 else "SEARCH"
        paused = unit(self.seed, "gads-paused", index) < 0.25
        start = self.first_day + timedelta(days=int(unit(self.seed, "gads-start", index) * 120))
        stop = self.anchor - timedelta(days=20 + int(unit(self.seed, "gads-stop", index) * 200))
        round_ = f" #{index // len(self.catalog.products) + 1}" if index >= 40 else ""
        return AdsCampaign(
            index=index,
            id=20_000_000_000 + int.from_bytes(digest(self.seed, "gads-campaign", index)[:4]),
            name=f"{channel.title()} | {product.name}{round_}",
            channel=channel,
            status=STATUSES[paused],
            budget_id=13_000_000_000 + int.from_bytes(digest(self.seed, "gads-budget", index)[:4]),
            budget_micros=(10 + int(unit(self.seed, "gads-budget", index) * 60)) * 1_000_000,
            product_slug=product.slug,
            start=start,
            end=stop if paused else None,
            terms=self._terms(product),
        )

    def _product_for(self, index: int) -> Product:
        products = self.catalog.products
        return products[(index * 7) % len(products)]

    def _terms(self, product: Product) -> tuple[str, ...]:
        name = product.name.lower()
        return tuple(dict.fromkeys((BRAND_TERM, f"{BRAND_TERM} {name}", name, *product.keywords)))

    # Days

    @property
    def last_day(self) -> date:
        """Return the last complete day at `as_of`."""
        return self.as_of - timedelta(days=1)

    def days(self) -> Iterator[date]:
        """Yield every day with data at `as_of`, oldest first."""
        day = self.first_day
        while day <= self.last_day:
            yield day
            day += timedelta(days=1)

    def day(self, campaign: AdsCampaign, day: date) -> AdsDay | None:
        """Return a campaign's metrics for `day` as reported at `as_of`, or None (no row)."""
        if day < campaign.start or day > self.last_day:
            return None
        if campaign.end is not None and day > campaign.end:
            return None
        key = campaign.index * 1_000_003 + day.toordinal()
        impressions = int(200 + 4800 * unit(self.seed, "gads-imp", key))
        if unit(self.seed, "gads-dark", key) < 0.03:
            return None  # a day it did not serve: Google reports no row
        clicks = int(impressions * (0.01 + 0.06 * unit(self.seed, "gads-ctr", key)))
        cost = clicks * (300_000 + 10_000 * int(180 * unit(self.seed, "gads-cpc", key)))
        final = int(clicks * 100 * 0.08 * unit(self.seed, "gads-cvr", key))
        arrived = final * arrived_permille((self.as_of - day).days) // 1000
        value = arrived * (25 + int(70 * unit(self.seed, "gads-aov", key)))
        return AdsDay(campaign.id, day, impressions, clicks, cost, arrived, value)

    def rows(self, start: date, end: date) -> Iterator[AdsDay]:
        """Yield every campaign-day between `start` and `end` inclusive, by day then campaign."""
        day = max(start, self.first_day)
        while day <= min(end, self.last_day):
            for campaign in self.campaigns:
                found = self.day(campaign, day)
                if found is not None:
                    yield found
            day += timedelta(days=1)

    def terms(self, campaign: AdsCampaign, day: date) -> list[AdsTermDay]:
        """Return the search terms that triggered a campaign's ads that day."""
        metrics = self.day(campaign, day)
        if metrics is None:
            return []
        key = campaign.index * 1_000_003 + day.toordinal()
        count = 2 + int(unit(self.seed, "gads-nterms", key) * 3)
        picked = campaign.terms[:count]
        return [_share(metrics, term, n, len(picked)) for n, term in enumerate(picked)]

    def term_rows(self, start: date, end: date) -> Iterator[AdsTermDay]:
        """Yield every search-term row between `start` and `end` inclusive."""
        day = max(start, self.first_day)
        while day <= min(end, self.last_day):
            for campaign in self.campaigns:
                yield from self.terms(campaign, day)
            day += timedelta(days=1)

    def truth(self, start: date, end: date) -> AdsTruth:
        """Return counts and sums over `start`..`end` as reported at `as_of`."""
        truth = AdsTruth()
        for row in self.rows(start, end):
            truth.rows += 1
            truth.impressions += row.impressions
            truth.clicks += row.clicks
            truth.cost_micros += row.cost_micros
            truth.conversions += Decimal(row.conversions_hundredths) / 100
            truth.value_cents += row.value_cents
        truth.term_rows = sum(1 for _ in self.term_rows(start, end))
        return truth


def _share(metrics: AdsDay, term: str, n: int, of: int) -> AdsTermDay:
    """Split a campaign-day's metrics across its terms, the brand term taking the most."""
    weight, total = (
        (of + 1 - n) * (2 if n == 0 else 1),
        sum((of + 1 - k) * (2 if k == 0 else 1) for k in range(of)),
    )
    return AdsTermDay(
        campaign_id=metrics.campaign_id,
        day=metrics.day,
        term=term,
        impressions=metrics.impressions * weight // total,
        clicks=metrics.clicks * weight // total,
        cost_micros=metrics.cost_micros * weight // total,
        conversions_hundredths=metrics.conversions_hundredths * weight // total,
    )
