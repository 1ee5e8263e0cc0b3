"""Figures cached on the rollups' version: computed once per refresh, never older than it."""

from datetime import timedelta
from typing import Any

import pytest

from catalog.models import Product
from dashboards.cache import cached_on_rollups
from dashboards.rollups import rollups_refresh
from dashboards.rollups.search import search_rollups_refresh
from dashboards.selectors.overview import margins, period_sums
from dashboards.selectors.sales import sales_sums
from dashboards.selectors.search import search_report
from integrations.models.search import SearchQueryPageDay
from tests.dashboards.selectors.test_overview import PERIOD as MARCH
from tests.dashboards.selectors.test_overview import build_brand
from tests.dashboards.selectors.test_sales import at, order
from tests.dashboards.selectors.test_search import DAY1, PERIOD, Rows

pytestmark = pytest.mark.django_db


def clicks_of(report: Any) -> dict[str, int]:
    return {q.query: q.clicks for q in report.top_queries}


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


def test_cached_sales_sums_follow_each_orders_refresh():
    order("1", at(DAY1), 1000, email_hash="a")
    rollups_refresh()
    assert sales_sums(PERIOD, None).current.totals("USD").revenue_minor == 1000
    order("2", at(DAY1), 500, email_hash="b")
    assert sales_sums(PERIOD, None).current.totals("USD").revenue_minor == 1000  # until refreshed
    rollups_refresh()
    assert sales_sums(PERIOD, None).current.totals("USD").revenue_minor == 1500


def test_the_overview_caches_rollup_sums_but_reads_the_catalog_fresh():
    build_brand()
    widget = next(p for p in margins(MARCH, period_sums(MARCH)).by_product if p.product == "Widget")
    assert widget.cogs == 2 * 1500 + 2500
    Product.objects.filter(name="Widget").update(unit_cost=1600)  # W-2 keeps its own $25
    widget = next(p for p in margins(MARCH, period_sums(MARCH)).by_product if p.product == "Widget")
    assert widget.cogs == 2 * 1600 + 2500


def test_values_cached_by_other_code_are_never_read(monkeypatch: pytest.MonkeyPatch):
    Rows().add("lamp", "/lamp", 100, 10).rolled()
    computed = []

    def compute() -> int:
        computed.append(1)
        return len(computed)

    assert cached_on_rollups(("search",), ("test",), compute) == 1
    assert cached_on_rollups(("search",), ("test",), compute) == 1  # cached
    monkeypatch.setattr("dashboards.cache.CODE_DIGEST", "a deploy later")
    assert cached_on_rollups(("search",), ("test",), compute) == 2
