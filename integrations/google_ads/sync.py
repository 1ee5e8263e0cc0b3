"""Google Ads streams: campaigns (with budgets), daily metrics and search terms.

Metrics and search terms are read in date chunks, one SearchStream query each, and a chunk is
written with its last day as the bookmark. The SDK holds every row of a stream batch (up to
10,000) as a message of about 7 KB, so chunks aim at ROWS_PER_QUERY rows: the first chunk is
one day, and each next one is as long as that many rows took in the chunk before.
Conversions keep arriving after a day ends, so each run starts again at the conversion window
(GOOGLE_ADS_CONVERSION_WINDOW_DAYS, 30 by default) before today (account-local), or at the
bookmark if that is later; days inside the window are marked `settling`, and older ones are
marked settled once the window has passed them.
"""

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from integrations.google_ads.client import (
    AdsCustomer,
    CampaignRow,
    GoogleAdsApi,
    MetricRow,
    TermRow,
)
from integrations.google_ads.money import micros_to_minor
from integrations.models import AdAccount, Campaign, CampaignDay, Connection, SearchTermDay
from integrations.models.ads import AdPlatform
from integrations.sync.engine import Page, WriteCounts
from integrations.sync.upsert import upsert_changed, upsert_values

PLATFORM = AdPlatform.GOOGLE_ADS
BACKFILL_DAYS = 548
METRICS_CHUNK_DAYS = 30  # the longest chunk of one query
TERMS_CHUNK_DAYS = 7
ROWS_PER_QUERY = 4_000  # about 30 MB of the SDK's row messages
STATUS_OF = {"ENABLED": "ACTIVE", "PAUSED": "PAUSED", "REMOVED": "REMOVED"}
CAMPAIGN_FIELDS = ["name", "status", "platform_status", "objective", "daily_budget", "currency",
                   "budget_external_id"]  # fmt: skip
# Written rows are KEY + FIELDS values, in that order.
DAY_KEY = ["campaign", "day"]
DAY_FIELDS = ["impressions", "clicks", "spend_micros", "conversions", "conversion_value_micros",
              "settling"]  # fmt: skip
TERM_KEY = ["campaign", "day", "term_key"]
TERM_FIELDS = ["search_term", "impressions", "clicks", "cost_micros", "conversions"]


def window_days() -> int:
    """Return how many days back conversions may still change."""
    return int(getattr(settings, "GOOGLE_ADS_CONVERSION_WINDOW_DAYS", 30))


class _AccountStream:
    """What the three streams share: the API and the account row, read once per run."""

    name = ""

    def __init__(self, api: GoogleAdsApi, connection: Connection, today: date | None = None):
        self.api = api
        self.connection = connection
        self._today = today
        self._customer: AdsCustomer | None = None

    def customer(self) -> AdsCustomer:
        if self._customer is None:
            self._customer = self.api.customer()
        return self._customer

    def today(self) -> date:
        """Return today in the account's time zone."""
        if self._today is not None:
            return self._today
        return datetime.now(ZoneInfo(self.customer().time_zone)).date()

    def account(self) -> AdAccount:
        c = self.customer()
        account, _ = AdAccount.objects.update_or_create(
            platform=PLATFORM,
            external_id=c.id,
            defaults={
                "connection": self.connection,
                "name": c.name,
                "currency": c.currency,
                "time_zone": c.time_zone,
            },
        )
        return account

    def final_bookmark(self) -> str | None:
        return None


class CampaignsStream(_AccountStream):
    name = "campaigns"

    def pages(self, *, bookmark: str, full: bool) -> Iterator[Page]:
        """Yield every campaign in one page."""
        yield Page(self.api.campaigns())

    def write(self, connection: Connection, records: Sequence[Any]) -> WriteCounts:
        """Upsert the account and its campaigns, budgets in minor units of its currency."""
        account = self.account()
        rows = [campaign_model(account, r) for r in records]
        counts, _ = upsert_changed(Campaign, rows, key_fields=["ad_account", "external_id"],
                                   compare_fields=CAMPAIGN_FIELDS)  # fmt: skip
        return counts


def campaign_model(account: AdAccount, row: CampaignRow) -> Campaign:
    """Return the Campaign row for a parsed campaign."""
    return Campaign(
        ad_account=account,
        platform=PLATFORM,
        external_id=row.id,
        name=row.name[:300],
        status=STATUS_OF.get(row.status, row.status),
        platform_status=row.status,
        objective=row.channel,
        daily_budget=micros_to_minor(row.budget_micros, account.currency),
        currency=account.currency,
        budget_external_id=row.budget_id,
    )


def chunk_days_after(rows: int, days: int, longest: int) -> int:
    """Return how many days the next chunk spans: ROWS_PER_QUERY rows at the last chunk's rate."""
    if not rows:
        return longest
    return max(1, min(longest, ROWS_PER_QUERY * days // rows))


class _DatedStream(_AccountStream):
    chunk_days = METRICS_CHUNK_DAYS

    def pages(self, *, bookmark: str, full: bool) -> Iterator[Page]:
        """Yield one page per date chunk, from the window (or bookmark) up to today."""
        today = self.today()
        start, days = self.start(bookmark, full, today), 1
        while start <= today:
            end = min(start + timedelta(days=days - 1), today)
            rows = self.read(start, end)
            yield Page(rows, bookmark=end.isoformat())
            days = chunk_days_after(len(rows), (end - start).days + 1, self.chunk_days)
            start = end + timedelta(days=1)

    def start(self, bookmark: str, full: bool, today: date) -> date:
        """Return the first day to read: the backfill, or the earlier of bookmark and window."""
        if full or not bookmark:
            return today - timedelta(days=BACKFILL_DAYS)
        after = date.fromisoformat(bookmark) + timedelta(days=1)
        return min(after, today - timedelta(days=window_days()))

    def read(self, start: date, end: date) -> Sequence[Any]:
        raise NotImplementedError

    def campaigns_by_id(self, account: AdAccount, rows: Sequence[Any]) -> dict[str, Campaign]:
        """Return the account's campaigns by external id, creating any not yet synced."""
        found = {c.external_id: c for c in Campaign.objects.filter(ad_account=account)}
        missing = {r.campaign_id: r for r in rows if r.campaign_id not in found}
        for campaign_id, row in missing.items():
            found[campaign_id], _ = Campaign.objects.get_or_create(
                ad_account=account, external_id=campaign_id,
                defaults={"platform": PLATFORM, "name": getattr(row, "campaign_name", campaign_id),
                          "status": STATUS_OF.get(getattr(row, "campaign_status", ""), ""),
                          "currency": account.currency},
            )  # fmt: skip
        return found


class MetricsStream(_DatedStream):
    name = "metrics"

    def read(self, start: date, end: date) -> Sequence[Any]:
        return self.api.metrics(start, end)

    def write(self, connection: Connection, records: Sequence[Any]) -> WriteCounts:
        """Upsert campaign-days, then settle the days the window has left behind."""
        account = self.account()
        campaigns = self.campaigns_by_id(account, records)
        cutoff = self.today() - timedelta(days=window_days())
        return metrics_write(account, campaigns, records, cutoff=cutoff)


def metrics_write(
    account: AdAccount,
    campaigns: Mapping[str, Campaign],
    records: Sequence[MetricRow],
    *,
    cutoff: date,
) -> WriteCounts:
    """Upsert a page of campaign-days (from `cutoff` on, settling); settle the account's older."""
    rows = (day_values(campaigns[row.campaign_id].pk, row, cutoff) for row in records)
    counts = upsert_values(CampaignDay, rows, key_fields=DAY_KEY, compare_fields=DAY_FIELDS)
    CampaignDay.objects.filter(campaign__ad_account=account, day__lt=cutoff,
                               settling=True).update(settling=False)  # fmt: skip
    return counts


def day_values(campaign_pk: int, row: MetricRow, cutoff: date) -> tuple[Any, ...]:
    """Return a parsed metrics row as CampaignDay values, in DAY_KEY + DAY_FIELDS order."""
    return (campaign_pk, row.day, row.impressions, row.clicks, row.cost_micros, row.conversions,
            row.conversions_value_micros, row.day >= cutoff)  # fmt: skip


class SearchTermsStream(_DatedStream):
    name = "search_terms"
    chunk_days = TERMS_CHUNK_DAYS

    def read(self, start: date, end: date) -> Sequence[Any]:
        return self.api.search_terms(start, end)

    def write(self, connection: Connection, records: Sequence[Any]) -> WriteCounts:
        """Upsert search-term days."""
        campaigns = self.campaigns_by_id(self.account(), records)
        rows = (term_values(campaigns[row.campaign_id].pk, row) for row in records)
        return upsert_values(SearchTermDay, rows, key_fields=TERM_KEY, compare_fields=TERM_FIELDS)


def term_values(campaign_pk: int, row: TermRow) -> tuple[Any, ...]:
    """Return a parsed search-term row as values, in TERM_KEY + TERM_FIELDS order."""
    key = hashlib.sha1(row.term.encode(), usedforsecurity=False).hexdigest()
    return (campaign_pk, row.day, key, row.term[:400], row.impressions, row.clicks,
            row.cost_micros, row.conversions)  # fmt: skip
