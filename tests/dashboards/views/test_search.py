"""The organic search page: metrics with formulas, thresholds shown, fragment, CSV, budget."""

import csv
import io
from datetime import timedelta

import pytest

from tests.dashboards.selectors.test_search import DAY1, Rows
from tests.dashboards.views.test_ads import table_cells
from tests.security.test_csp import assert_strict

pytestmark = pytest.mark.django_db

# Committed query budget (N+1 guard): 8 for the shared page chrome (session, user, roles,
# connection and post checks, freshness) and 6 for the page: days (summed into the totals),
# comparison totals, the search rollups' version (which keys the cached report), query x page
# (summed into queries and pages), the window before it (for decay) and ad terms. A range
# holding whole weeks reads them in one more query each; a cached report reads neither.
SEARCH_QUERY_BUDGET = 14
URL = f"/dashboards/search/?range=custom&start={DAY1}&end={DAY1 + timedelta(days=1)}"


@pytest.fixture
def search_rows():
    rows = Rows()
    rows.add("desk lamp", "/lamp", 300, 30, 2.0).add("desk lamp", "/guide", 100, 2, 6.0)
    rows.add("best desk lamp", "/lamp", 500, 5, 12.0)
    rows.add("lamp", "/lamp", 80, 8, 1.0, day=DAY1 + timedelta(days=1), fresh=True)
    return rows.rolled()


def test_a_viewer_sees_metrics_formulas_and_thresholds(client, viewer, search_rows):
    client.force_login(viewer)
    page = client.get(URL).content.decode()
    assert "Σ(position × impressions) ÷ Σ impressions" in page
    assert "Includes 1 fresh day" in page
    assert "Average position 8–20 with at least 100 impressions" in page
    assert "Expected CTR by position: 1: 28.0%" in page
    assert "flux engineering, flux" in page
    striking = table_cells(page, "striking")
    assert striking == [["best desk lamp", "5", "500", "1.0%", "12.0"]]
    cannibal = table_cells(page, "cannibal")
    assert cannibal == [["desk lamp", "400", "/lamp 75.0% · /guide 25.0%"]]


def test_the_csv_export_has_the_rows_the_table_shows(client, viewer, search_rows):
    client.force_login(viewer)
    shown = table_cells(client.get(f"{URL}&queries-sort=query").content.decode(), "queries")
    export = client.get(f"{URL}&queries-sort=query&export=queries")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0] == ["Query", "Clicks", "Impressions", "CTR", "Avg position"]
    assert rows[1:] == shown
    assert [row[0] for row in shown] == ["best desk lamp", "desk lamp", "lamp"]
    assert shown[1][4] == "3.0"  # (2 x 300 + 6 x 100) / 400


def test_htmx_gets_only_the_body_fragment(client, viewer, search_rows):
    client.force_login(viewer)
    body = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert "Striking-distance queries" in body
    assert "<html" not in body


def test_an_empty_period_says_what_to_do(client, viewer):
    client.force_login(viewer)
    assert "No organic search data in this period." in client.get(URL).content.decode()


def test_the_page_stays_within_its_query_budget(
    client, viewer, search_rows, django_assert_max_num_queries
):
    client.force_login(viewer)
    with django_assert_max_num_queries(SEARCH_QUERY_BUDGET):
        assert client.get(URL).status_code == 200


def test_the_filled_page_has_no_inline_code(client, viewer, search_rows):
    client.force_login(viewer)
    assert_strict(client.get(URL))


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboards/search/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
