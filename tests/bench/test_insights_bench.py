"""Benchmark: campaign-days at bench scale (Meta, Google Ads: ~220k each) against the ceiling.

Each platform is measured on its own (together about 440k campaign-days), in one run each:
- end to end: `manage.py sync meta` / `sync google_ads` in a child process against the
  bench-scale sandbox in another (Graph API report runs through facebook-business; gRPC
  SearchStream through google-ads), timed by the insights / metrics run itself;
- the ingest stage at that full scale: the campaign-days that sync stored, read back into the
  records and pages the stream writes (Meta: pages of 500 as the Graph API pages; Google Ads:
  the metrics stream's own date chunks of about 4,000 rows), then written by the sync's own
  writer into a copy of the account's campaigns;
- the ceiling on the same table: the same pages COPYed into a staging table and upserted with
  one INSERT ... ON CONFLICT, into another copy; writer and ceiling take turns page by page;
- the sync process's peak resident memory (the whole `sync <provider>`, every stream).
Targets: ingest >= 50% of the ceiling, peak memory < 300 MB.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from integrations.google_ads.client import GoogleAdsApi, MetricRow
from integrations.google_ads.sync import MetricsStream, metrics_write, window_days
from integrations.meta.client import PAGE_SIZE
from integrations.meta.parse import InsightDay
from integrations.meta.sync import LATE_DAYS, insight_days_write
from integrations.models import AdAccount, Campaign, CampaignDay
from integrations.models.ads import AdPlatform
from sandbox.platforms.google_oauth import DEMO_REFRESH_TOKEN
from sandbox.platforms.meta import SYSTEM_USER_TOKEN
from tests.bench.harness import (
    Row,
    SandboxServices,
    SyncedEndToEnd,
    analyze,
    copy_upsert,
    ingest_report,
    sandbox_services,
    sync_end_to_end,
    timed_pages,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TABLE = CampaignDay._meta.db_table
CEILING_KEY = ("campaign_id", "day")
CEILING_COLUMNS = (
    "impressions", "clicks", "spend_micros", "conversions", "conversion_value_micros",
    "attribution_setting", "settling", "synced_at",
)  # fmt: skip
STORED = ("campaign__external_id", "campaign__name", "campaign__platform_status", "day",
          "impressions", "clicks", "spend_micros", "conversions", "conversion_value_micros",
          "attribution_setting")  # fmt: skip
E2E = ("end to end: sandbox -> sync -> rows", "API, parse, write")  # label, note
R = TypeVar("R", InsightDay, MetricRow)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServices]:
    with sandbox_services(
        scale="bench", warm_path="/oidc/.well-known/openid-configuration"
    ) as found:
        yield found


def test_meta_insights_at_bench_scale(sandbox: SandboxServices):
    synced = sync_end_to_end("meta", SYSTEM_USER_TOKEN, sandbox.child_env())
    analyze(CampaignDay, Campaign)
    source = AdAccount.objects.get(platform=AdPlatform.META, connection__provider="meta")
    cutoff = _local_today(source) - timedelta(days=LATE_DAYS - 1)

    def writer(account: AdAccount) -> Callable[[Sequence[InsightDay]], object]:
        # The stream reads the campaign ids once a run.
        ids = dict(account.campaigns.values_list("external_id", "pk"))
        return lambda page: insight_days_write(ids, page, cutoff=cutoff)

    def values(day: InsightDay) -> tuple[Any, ...]:
        return (day.campaign_id, day.day, day.impressions, day.clicks, day.spend_micros,
                day.purchases, day.purchase_value_micros, day.attribution_setting)  # fmt: skip

    replay = Replay(source, writer, values, cutoff)
    replay.report("Meta insights", synced, "insights", _stored_pages(source, PAGE_SIZE))


def test_google_ads_metrics_at_bench_scale(sandbox: SandboxServices):
    synced = sync_end_to_end("google_ads", DEMO_REFRESH_TOKEN, sandbox.child_env())
    analyze(CampaignDay, Campaign)
    source = AdAccount.objects.get(platform=AdPlatform.GOOGLE_ADS)
    today = _local_today(source)
    cutoff = today - timedelta(days=window_days())

    def writer(account: AdAccount) -> Callable[[Sequence[MetricRow]], object]:
        def write(page: Sequence[MetricRow]) -> object:
            # The stream reads the account's campaigns for every page.
            campaigns = {c.external_id: c for c in account.campaigns.all()}
            return metrics_write(account, campaigns, page, cutoff=cutoff)

        return write

    def values(row: MetricRow) -> tuple[Any, ...]:
        return (row.campaign_id, row.day, row.impressions, row.clicks, row.cost_micros,
                row.conversions, row.conversions_value_micros, "")  # fmt: skip

    chunks = StoredMetrics(source, today).pages(bookmark="", full=True)
    replay = Replay(source, writer, values, cutoff)
    replay.report("Google Ads metrics", synced, "metrics", (page.records for page in chunks))


def _local_today(account: AdAccount) -> date:
    return datetime.now(ZoneInfo(account.time_zone)).date()


@dataclass
class Replay(Generic[R]):
    """The stored campaign-days written again by the sync's writer and by the ceiling."""

    source: AdAccount
    writer: Callable[[AdAccount], Callable[[Sequence[R]], object]]
    values: Callable[[R], tuple[Any, ...]]  # external campaign id, day, then the metrics
    cutoff: date

    def report(
        self, name: str, synced: SyncedEndToEnd, stream: str, pages: Iterable[Sequence[R]]
    ) -> None:
        """Write every page both ways, taking turns; print, record and check the figures."""
        ingest_into = _copy_of(self.source, "ingest")
        ceiling_into = _copy_of(self.source, "ceiling")
        ceiling_ids = dict(ceiling_into.campaigns.values_list("external_id", "pk"))
        spent = timed_pages(
            pages,
            {
                "ingest": self.writer(ingest_into),
                "ceiling": lambda page: copy_upsert(
                    TABLE, CEILING_KEY, CEILING_COLUMNS, self._ceiling_rows(ceiling_ids, page)
                ),
            },
        )
        rows = CampaignDay.objects.filter(campaign__ad_account=self.source).count()
        assert CampaignDay.objects.filter(campaign__ad_account=ingest_into).count() == rows
        missed = ingest_report(
            f"{name}, bench scale",
            name.lower(),
            end_to_end=synced.stream_row(stream, *E2E),
            ingest=Row("ingest: parsed pages -> rows (sync writer)", rows, spent["ingest"]),
            ceiling=Row("ceiling: COPY + INSERT ON CONFLICT", rows, spent["ceiling"]),
            peak_mb=synced.child.peak_rss_mb,
            notes=[
                f"campaign-days stored end to end: {rows:,}",
                f"sync process: {synced.child.seconds:.0f} s for every stream of the provider",
                "ingest and ceiling replay those rows in the stream's pages",
            ],
        )
        assert not missed, missed

    def _ceiling_rows(self, ids: dict[str, int], page: Sequence[R]) -> Iterator[tuple[object, ...]]:
        now = timezone.now()
        for record in page:
            campaign_id, day, *metrics = self.values(record)
            yield (ids[str(campaign_id)], day, *metrics, day >= self.cutoff, now)


class StoredMetrics(MetricsStream):
    """The metrics stream's own date chunks, read from the campaign-days a sync stored."""

    def __init__(self, source: AdAccount, today: date) -> None:
        super().__init__(GoogleAdsApi(refresh_token="", customer_id=""), source.connection, today)
        self.days = CampaignDay.objects.filter(campaign__ad_account=source).order_by("day", "pk")

    def read(self, start: date, end: date) -> Sequence[MetricRow]:
        found = self.days.filter(day__range=(start, end)).values_list(*STORED)
        return [MetricRow(*row[:9]) for row in found]


def _copy_of(source: AdAccount, label: str) -> AdAccount:
    """Return a new account holding copies of the source's campaigns (same external ids)."""
    account = AdAccount.objects.create(
        connection=source.connection, platform=source.platform, external_id=f"bench-{label}",
        name=label, currency=source.currency, time_zone=source.time_zone,
    )  # fmt: skip
    Campaign.objects.bulk_create(
        Campaign(ad_account=account, platform=c.platform, external_id=c.external_id, name=c.name,
                 status=c.status, platform_status=c.platform_status, currency=c.currency)
        for c in source.campaigns.all()
    )  # fmt: skip
    return account


def _stored_pages(source: AdAccount, size: int) -> Iterator[list[InsightDay]]:
    """Yield the stored campaign-days in the order they were written, `size` at a time."""
    days = CampaignDay.objects.filter(campaign__ad_account=source).order_by("pk")
    after = 0
    while page := list(days.filter(pk__gt=after).values_list("pk", *STORED)[:size]):
        after = page[-1][0]
        yield [_insight_day(row[1:]) for row in page]


def _insight_day(row: tuple[Any, ...]) -> InsightDay:
    external_id, name, _, day, impressions, clicks, spend, conversions, value, attribution = row
    return InsightDay(external_id, name, day, impressions, clicks, spend, conversions, value,
                      attribution)  # fmt: skip
