"""upsert_values: value tuples in, only new or changed rows written, the same on both databases."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from integrations.models import AdAccount, Campaign, CampaignDay, Connection
from integrations.sync.engine import WriteCounts
from integrations.sync.upsert import upsert_values

pytestmark = pytest.mark.django_db

KEY = ["campaign", "day"]
FIELDS = ["impressions", "clicks", "conversions", "settling"]
DAY = date(2026, 3, 1)


@pytest.fixture
def campaigns() -> list[Campaign]:
    connection = Connection.objects.create(
        provider="meta", external_account_id="act_1", display_name="ads"
    )
    account = AdAccount.objects.create(
        connection=connection, platform="meta", external_id="act_1", name="ads",
        currency="USD", time_zone="UTC",
    )  # fmt: skip
    fields = {"ad_account": account, "platform": "meta", "status": "ACTIVE", "currency": "USD"}
    return [Campaign.objects.create(external_id=str(n), name=f"c{n}", **fields) for n in range(2)]


def write(rows: list[tuple[Any, ...]]) -> WriteCounts:
    return upsert_values(CampaignDay, rows, key_fields=KEY, compare_fields=FIELDS)


def stored() -> dict[tuple[int, date], tuple[int, int, Decimal, bool]]:
    return {
        (d.campaign_id, d.day): (d.impressions, d.clicks, d.conversions, d.settling)
        for d in CampaignDay.objects.all()
    }


def test_new_rows_are_inserted_with_defaults_for_fields_not_named(campaigns: list[Campaign]):
    a, b = (c.pk for c in campaigns)
    rows = [(a, DAY, 100, 5, Decimal("1.5"), True), (b, DAY, 7, 0, Decimal(0), False)]
    assert write(rows) == WriteCounts(inserted=2, updated=0)
    assert stored() == {
        (a, DAY): (100, 5, Decimal("1.5"), True),
        (b, DAY): (7, 0, Decimal(0), False),
    }
    day = CampaignDay.objects.get(campaign_id=a)
    assert (day.spend_micros, day.attribution_setting) == (0, "")  # model defaults
    assert day.synced_at is not None  # auto_now


def test_a_rerun_writes_nothing_and_a_change_updates_only_its_row(campaigns: list[Campaign]):
    a, b = (c.pk for c in campaigns)
    rows = [(a, DAY, 100, 5, Decimal("1.5"), True), (b, DAY, 7, 0, Decimal(0), True)]
    write(rows)
    synced = CampaignDay.objects.get(campaign_id=b).synced_at
    assert write(rows) == WriteCounts(inserted=0, updated=0)
    later = [
        (a, DAY, 100, 5, Decimal("2.5"), False),
        rows[1],
        (a, DAY + timedelta(1), 1, 0, 0, True),
    ]
    assert write(later) == WriteCounts(inserted=1, updated=1)
    assert stored()[(a, DAY)] == (100, 5, Decimal("2.5"), False)
    assert CampaignDay.objects.get(campaign_id=b).synced_at == synced  # untouched


def test_a_key_seen_twice_in_one_batch_keeps_its_last_row(campaigns: list[Campaign]):
    a = campaigns[0].pk
    rows = [(a, DAY, 1, 0, Decimal(0), True), (a, DAY, 2, 0, Decimal(0), True)]
    assert write(rows) == WriteCounts(inserted=1, updated=0)
    assert stored() == {(a, DAY): (2, 0, Decimal(0), True)}


def test_nothing_to_write_touches_nothing(campaigns: list[Campaign]):
    assert write([]) == WriteCounts()
    assert not CampaignDay.objects.exists()
