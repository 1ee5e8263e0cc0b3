"""Figures cached on the rollups' version: computed once per refresh, never older than it."""

from datetime import timedelta
from typing import Any

import pytest

from dashboards.rollups.search import search_rollups_refresh
from dashboards.selectors.search import search_report
from integrations.models.search import SearchQueryPageDay
from tests.dashboards.selectors.test_search import DAY1, PERIOD, Rows

pytestmark = pytest.mark.django_db


def clicks_of(report: Any) -> dict[str, int]:
    return {q.query: q.clicks for q in report.queries}


def test_a_report_is_worked_out_once_per_refresh_of_the_search_rollups(
    django_assert_num_queries: Any,
):
    rows = Rows().add("lamp", "/lamp", 100, 10).rolled()
    assert clicks_of(search_report(PERIOD)) == {"lamp": 10}
    with django_assert_num_queries(1):  # the version: the report itself comes from the cache
        assert clicks_of(search_report(PERIOD)) == {"lamp": 10}
    # A sync rebuilds a day, then refreshes the search rollups: the next report is new.
    rows.add("desk", "/desk", 50, 5, day=DAY1 + timedelta(days=1))
    SearchQueryPageDay.objects.rebuild(rows.prop.pk, DAY1 + timedelta(days=1))
    search_rollups_refresh()
    assert clicks_of(search_report(PERIOD)) == {"lamp": 10, "desk": 5}


def test_nothing_is_cached_before_the_first_refresh():
    rows = Rows().add("lamp", "/lamp", 100, 10)
    SearchQueryPageDay.objects.rebuild(rows.prop.pk, DAY1)
    assert clicks_of(search_report(PERIOD)) == {"lamp": 10}
    rows.add("desk", "/desk", 50, 5)
    SearchQueryPageDay.objects.rebuild(rows.prop.pk, DAY1)
    assert clicks_of(search_report(PERIOD)) == {"lamp": 10, "desk": 5}
