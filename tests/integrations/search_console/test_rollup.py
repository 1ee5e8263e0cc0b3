"""The query x page rollup the dashboards read is rebuilt as each synced day closes."""

from datetime import date, timedelta

import pytest
from django.db.models import Count, Q, Sum

from integrations.models import Connection, SearchDay, SearchProperty
from integrations.models.search import SearchQueryPageDay
from sandbox.platforms.search_console import SearchConsole
from tests.integrations.search_console.conftest import sync


def rollup_by_day():
    found = SearchQueryPageDay.objects.values("day").annotate(
        clicks=Sum("clicks"), impressions=Sum("impressions"), weighted=Sum("position_impressions"),
        fresh=Count("id", filter=Q(fresh=True)), rows=Count("id"),
    )  # fmt: skip
    return {f["day"]: f for f in found}


def test_each_synced_day_has_its_rollup_with_the_same_sums(
    connection: Connection, search: SearchConsole
):
    sync(connection, search)
    rollup = rollup_by_day()
    raw = SearchDay.objects.values("day").annotate(clicks=Sum("clicks"), imps=Sum("impressions"))
    assert {r["day"]: (r["clicks"], r["imps"]) for r in raw} == {
        day: (r["clicks"], r["impressions"]) for day, r in rollup.items()
    }
    newest = search.today - timedelta(days=1)
    assert rollup[newest]["fresh"] == rollup[newest]["rows"]  # fresh days stay marked
    assert rollup[search.today - timedelta(days=4)]["fresh"] == 0


def test_a_day_turning_final_replaces_its_fresh_rollup(
    connection: Connection, search: SearchConsole
):
    sync(connection, search)
    was_fresh = search.today - timedelta(days=1)
    search.advance(days=3)
    sync(connection, search)
    rollup = rollup_by_day()[was_fresh]
    raw = SearchDay.objects.filter(day=was_fresh).aggregate(clicks=Sum("clicks"))
    assert rollup["fresh"] == 0
    assert rollup["clicks"] == raw["clicks"]


@pytest.mark.django_db
def test_a_rebuild_sums_countries_and_devices_and_weights_position(connection: Connection):
    prop = SearchProperty.objects.create(connection=connection, site_url="sc-domain:x.example")
    day = date(2026, 3, 1)
    for key, (country, impressions, clicks, position) in enumerate(
        [("usa", 300, 30, 2.0), ("gbr", 100, 2, 6.0)]
    ):
        SearchDay.objects.create(
            search_property=prop, day=day, query="q", page="/p", country=country,
            device="MOBILE", row_key=str(key), clicks=clicks, impressions=impressions,
            position=position, fresh=key == 1,
        )  # fmt: skip
    assert SearchQueryPageDay.objects.rebuild(prop.pk, day) == 1
    assert SearchQueryPageDay.objects.rebuild(prop.pk, day) == 1  # replaces, never adds
    row = SearchQueryPageDay.objects.get()
    assert (row.clicks, row.impressions, row.fresh) == (32, 400, True)
    assert row.position_impressions == 1200.0  # 2 x 300 + 6 x 100: average 1200 / 400 = 3.0
