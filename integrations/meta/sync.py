"""Meta streams: campaigns (with ad sets), daily insights, Page posts and Instagram media.

Insights: every run re-reads the last 28 account-local days, because purchases keep being
attributed to a day for 28 days after it; a day inside that window is stored `settling`,
and a day that leaves it is marked settled. The first sync (or --full) backfills 18 months
through async report runs in 92-day chunks; the last page of each chunk carries the
bookmark (the chunk's last day), so an interrupted backfill resumes from there. Spend and
purchase values are converted to micros exactly; budgets stay in minor units.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone

from integrations.meta import parse
from integrations.meta.client import MetaClient
from integrations.models import AdAccount, AdSet, Campaign, CampaignDay, Connection, SocialPost
from integrations.models.ads import AdPlatform
from integrations.sync.engine import Page, WriteCounts
from integrations.sync.upsert import upsert_changed, upsert_values

BACKFILL_DAYS = 548
LATE_DAYS = 28
SYNC_RANGE_DAYS = 31  # longer ranges go through async report runs
CHUNK_DAYS = 92
POST_METRICS = ["post_impressions", "post_impressions_unique", "post_clicks",
                "post_reactions_like_total"]  # fmt: skip
IG_METRICS = ["reach", "likes", "comments", "saved", "shares", "views", "total_interactions"]
DAY_KEY = ["campaign", "day"]  # a written campaign-day is DAY_KEY + DAY_FIELDS, in order
DAY_FIELDS = ["impressions", "clicks", "spend_micros", "conversions", "conversion_value_micros",
              "attribution_setting", "settling"]  # fmt: skip
CAMPAIGN_FIELDS = ["name", "status", "platform_status", "objective", "daily_budget",
                   "lifetime_budget", "currency", "start_date"]  # fmt: skip
POST_FIELDS = ["connection", "published_at", "text", "permalink", "media_type", "likes",
               "comments", "shares", "saves", "reach", "impressions", "engagement"]  # fmt: skip
M = TypeVar("M", bound=models.Model)


def now() -> datetime:
    """Return the current moment (tests move it with the sandbox's clock)."""
    return timezone.now()


def local_today(time_zone: str) -> date:
    """Return today's date in the ad account's time zone."""
    return now().astimezone(ZoneInfo(time_zone)).date()


def account_row(connection: Connection, info: parse.AdAccountInfo) -> AdAccount:
    """Create or refresh the stored ad account."""
    row, _ = AdAccount.objects.update_or_create(
        platform=AdPlatform.META,
        external_id=info.act_id,
        defaults={
            "connection": connection,
            "name": info.name,
            "currency": info.currency,
            "time_zone": info.time_zone,
        },
    )
    return row


def _upsert_grouped(
    model: type[M], rows: Sequence[M], group: str, key: Sequence[str], compare: Sequence[str]
) -> WriteCounts:
    """Upsert rows per value of `group` (upsert_changed compares within one scope)."""
    groups: dict[Any, dict[Any, M]] = {}
    for row in rows:
        scope = getattr(row, f"{group}_id")
        groups.setdefault(scope, {})[getattr(row, key[-1])] = row  # last duplicate wins
    inserted = updated = 0
    for unique in groups.values():
        counts, _ = upsert_changed(
            model, list(unique.values()), key_fields=key, compare_fields=compare
        )
        inserted, updated = inserted + counts.inserted, updated + counts.updated
    return WriteCounts(inserted, updated)


@dataclass
class CampaignsStream:
    """The ad account, its campaigns and its ad sets (targeting), listed in full each run."""

    client: MetaClient
    act_id: str
    name: str = "campaigns"
    _account: AdAccount | None = None

    def pages(self, *, bookmark: str, full: bool) -> Iterator[Page]:
        yield Page([self.client.ad_account(self.act_id)])
        for campaigns in self.client.campaign_pages(self.act_id):
            yield Page(campaigns)
        for ad_sets in self.client.ad_set_pages(self.act_id):
            yield Page(ad_sets)

    def write(self, connection: Connection, records: Sequence[Any]) -> WriteCounts:
        accounts = [r for r in records if isinstance(r, parse.AdAccountInfo)]
        if accounts:
            self._account = account_row(connection, accounts[0])
            return WriteCounts()
        account = self._account or AdAccount.objects.get(
            platform=AdPlatform.META, external_id=self.act_id
        )
        if records and isinstance(records[0], parse.CampaignInfo):
            return _write_campaigns(account, records)
        return _write_ad_sets(account, records)

    def final_bookmark(self) -> str | None:
        return None


def _write_campaigns(account: AdAccount, records: Sequence[parse.CampaignInfo]) -> WriteCounts:
    rows = [
        Campaign(
            ad_account=account,
            platform=AdPlatform.META,
            external_id=c.campaign_id,
            name=c.name[:300],
            status=parse.STATUS_NORMAL.get(c.status, c.status),
            platform_status=c.effective_status,
            objective=c.objective,
            daily_budget=c.daily_budget,
            lifetime_budget=c.lifetime_budget,
            currency=account.currency,
            start_date=c.start_date,
        )
        for c in records
    ]
    unique = list({row.external_id: row for row in rows}.values())
    counts, _ = upsert_changed(
        Campaign, unique, key_fields=["ad_account", "external_id"], compare_fields=CAMPAIGN_FIELDS
    )
    return counts


def _write_ad_sets(account: AdAccount, records: Sequence[parse.AdSetInfo]) -> WriteCounts:
    ids = campaign_ids(account, {r.campaign_id: "" for r in records})
    rows = [
        AdSet(
            campaign_id=ids[r.campaign_id],
            external_id=r.adset_id,
            name=r.name[:300],
            status=r.status,
            daily_budget=r.daily_budget,
            targeting=r.targeting,
            targeting_summary=r.targeting_summary,
        )
        for r in records
    ]
    compare = ["name", "status", "daily_budget", "targeting", "targeting_summary"]
    return _upsert_grouped(AdSet, rows, "campaign", ["campaign", "external_id"], compare)


def campaign_ids(account: AdAccount, names: dict[str, str]) -> dict[str, int]:
    """Map external campaign ids to row ids, adding a stub for any not listed yet."""
    found = dict(
        Campaign.objects.filter(ad_account=account, external_id__in=names).values_list(
            "external_id", "pk"
        )
    )
    for external_id in set(names) - set(found):
        stub = Campaign.objects.create(
            ad_account=account,
            platform=AdPlatform.META,
            external_id=external_id,
            name=names[external_id][:300] or external_id,
            status="",
            currency=account.currency,
        )
        found[external_id] = stub.pk
    return found


@dataclass
class InsightsStream:
    """Daily campaign insights: backfill through report runs, then a 28-day re-read."""

    client: MetaClient
    act_id: str
    name: str = "insights"
    _account: AdAccount | None = None
    _cutoff: date = date.min
    _ids: dict[str, int] = field(default_factory=dict)

    def pages(self, *, bookmark: str, full: bool) -> Iterator[Page]:
        info = self.client.ad_account(self.act_id)
        today = local_today(info.time_zone)
        self._cutoff = today - timedelta(days=LATE_DAYS - 1)
        since = today - timedelta(days=BACKFILL_DAYS)
        if bookmark and not full:
            since = max(since, min(date.fromisoformat(bookmark), today) - timedelta(days=27))
        yield Page([info])
        for start, end in _chunks(since, today):
            yield from self._chunk(start, end)

    def _chunk(self, start: date, end: date) -> Iterator[Page]:
        """Yield a chunk's pages; the last one carries the chunk's end as the bookmark."""
        long = (end - start).days + 1 > SYNC_RANGE_DAYS
        read = self.client.report_pages if long else self.client.insight_pages
        held: list[parse.InsightDay] | None = None
        for rows in read(self.act_id, start, end):
            if held is not None:
                yield Page(held)
            held = rows
        yield Page(held or [], bookmark=end.isoformat())

    def write(self, connection: Connection, records: Sequence[Any]) -> WriteCounts:
        if records and isinstance(records[0], parse.AdAccountInfo):
            self._account = account_row(connection, records[0])
            # Once a run: days the window has left behind since the last run stop settling.
            # Days this run writes get their mark from the same cutoff.
            CampaignDay.objects.filter(
                campaign__ad_account=self._account, day__lt=self._cutoff, settling=True
            ).update(settling=False)
            return WriteCounts()
        if not records or self._account is None:
            return WriteCounts()
        return self._write_days(self._account, records)

    def _write_days(self, account: AdAccount, records: Sequence[parse.InsightDay]) -> WriteCounts:
        missing = {
            r.campaign_id: r.campaign_name for r in records if r.campaign_id not in self._ids
        }
        if missing:
            self._ids.update(campaign_ids(account, missing))
        return insight_days_write(self._ids, records, cutoff=self._cutoff)

    def final_bookmark(self) -> str | None:
        return None


def insight_days_write(
    ids: Mapping[str, int], records: Sequence[parse.InsightDay], *, cutoff: date
) -> WriteCounts:
    """Upsert a page of campaign-days (campaign pks by external id); from `cutoff` on, settling."""
    rows = (
        (ids[r.campaign_id], r.day, r.impressions, r.clicks, r.spend_micros, r.purchases,
         r.purchase_value_micros, r.attribution_setting, r.day >= cutoff)
        for r in records
    )  # fmt: skip
    return upsert_values(CampaignDay, rows, key_fields=DAY_KEY, compare_fields=DAY_FIELDS)


def _chunks(since: date, until: date) -> Iterator[tuple[date, date]]:
    """Split [since, until] into report-sized chunks, oldest first."""
    start = since
    while start <= until:
        end = min(until, start + timedelta(days=CHUNK_DAYS - 1))
        yield start, end
        start = end + timedelta(days=1)


@dataclass
class SocialStream:
    """Page posts or Instagram media with their insights; recent ones are re-read."""

    client: MetaClient
    owner_id: str
    name: str
    _final: str | None = None

    def pages(self, *, bookmark: str, full: bool) -> Iterator[Page]:
        started = now()
        since = None
        if bookmark and not full:
            since = int((datetime.fromisoformat(bookmark) - timedelta(days=LATE_DAYS)).timestamp())
        if self.name == "page_posts":
            for raw_page in self.client.post_pages(self.owner_id, since):
                yield Page([self._post(raw) for raw in raw_page])
        else:
            for raw_page in self.client.media_pages(self.owner_id, since):
                yield Page([self._media(raw) for raw in raw_page])
        self._final = started.isoformat()

    def _post(self, raw: Any) -> parse.SocialItem:
        return parse.page_post(raw, self.client.insights_of(parse.text(raw, "id"), POST_METRICS))

    def _media(self, raw: Any) -> parse.SocialItem:
        return parse.ig_media(raw, self.client.insights_of(parse.text(raw, "id"), IG_METRICS))

    def write(self, connection: Connection, records: Sequence[Any]) -> WriteCounts:
        if not records:
            return WriteCounts()
        moment = now()
        rows = {
            item.external_id: SocialPost(
                connection=connection,
                channel=item.channel,
                external_id=item.external_id,
                published_at=item.published_at,
                text=item.text,
                permalink=item.permalink[:500],
                media_type=item.media_type[:30],
                likes=item.likes,
                comments=item.comments,
                shares=item.shares,
                saves=item.saves,
                reach=item.reach,
                impressions=item.impressions,
                engagement=item.engagement,
                insights_at=moment,
            )
            for item in records
        }
        counts, _ = upsert_changed(
            SocialPost,
            list(rows.values()),
            key_fields=["channel", "external_id"],
            compare_fields=POST_FIELDS,
        )
        return counts

    def final_bookmark(self) -> str | None:
        return self._final
