"""The ads page: readable by viewers, per-currency totals, htmx fragment, CSV like the table."""

import csv
import io
import re
from html import unescape

import pytest

from dashboards.rollups.ads import ads_rollups_refresh
from tests.dashboards.selectors.test_ads import DAY1, DAY2, add_day, make_campaign
from tests.security.test_csp import assert_strict

pytestmark = pytest.mark.django_db

# Committed query budget (N+1 guard): 8 for the shared page chrome (session, user, roles,
# connection and post checks, freshness) and 5 for the page: the ads rollups' version (which
# keys the cached sums), day x platform (which the platform, day and total figures sum up),
# campaign sums and their names, and the comparison totals. Cached, only the version and the
# names are read.
ADS_QUERY_BUDGET = 13
URL = f"/dashboards/ads/?range=custom&start={DAY1}&end={DAY2}&compare=prev"


@pytest.fixture
def campaigns():
    a = make_campaign("meta", "Spring sale", "USD", budget=5000)
    c = make_campaign("meta", "Tokyo launch", "JPY", budget=3000)
    g = make_campaign("google_ads", "Brand search", "USD", budget=2500, status="PAUSED")
    add_day(a, DAY1, 1000, 50, 25_000_000, 2, 100_000_000)
    add_day(a, DAY2, 1000, 30, 15_000_000, 1, 20_000_000, settling=True)
    add_day(c, DAY1, 500, 10, 3_000_000_000, 1, 9_000_000_000)
    add_day(g, DAY1, 2000, 40, 20_000_000, 0, 0)
    ads_rollups_refresh()


def table_cells(page, name):
    """The visible rows of one table on the page, as lists of cell texts."""
    table = re.search(rf'<table[^>]*data-table="{name}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert table is not None, f"no table {name} on the page"
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    return [
        [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows
    ]


def text_of(html):
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def test_a_viewer_sees_totals_per_currency_with_formulas(client, viewer, campaigns):
    client.force_login(viewer)
    page = client.get(URL).content.decode()
    assert "Totals in USD" in page
    assert "Totals in JPY" in page
    assert "never added across currencies" in page
    assert "conversion value ÷ spend" in page
    assert "clicks ÷ impressions" in page
    assert "Includes 1 settling day" in page
    assert "$60.00" in page  # USD spend: 25 + 15 + 20
    assert "¥3,000" in page


def test_campaign_rows_show_budget_and_status(client, viewer, campaigns):
    client.force_login(viewer)
    rows = table_cells(client.get(URL).content.decode(), "campaign")
    brand = next(row for row in rows if row[0] == "Brand search")
    assert brand[1:4] == ["Google Ads", "PAUSED", "$25.00"]
    tokyo = next(row for row in rows if row[0] == "Tokyo launch")
    assert tokyo[3] == "¥3,000"


def test_the_csv_export_has_the_rows_the_table_shows(client, viewer, campaigns):
    client.force_login(viewer)
    shown = table_cells(client.get(f"{URL}&campaign-sort=-clicks").content.decode(), "campaign")
    export = client.get(f"{URL}&campaign-sort=-clicks&export=campaign")
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:4] == ["Campaign", "Platform", "Status", "Daily budget"]
    assert rows[1:] == shown
    assert [row[0] for row in shown] == ["Spring sale", "Brand search", "Tokyo launch"]


def test_htmx_gets_only_the_body_fragment(client, viewer, campaigns):
    client.force_login(viewer)
    body = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert "Totals in USD" in body
    assert "<html" not in body


def test_an_empty_period_says_what_to_do(client, viewer):
    client.force_login(viewer)
    page = client.get("/dashboards/ads/").content.decode()
    assert "No ad delivery in this period." in page


def test_the_page_stays_within_its_query_budget(
    client, viewer, campaigns, django_assert_max_num_queries
):
    client.force_login(viewer)
    with django_assert_max_num_queries(ADS_QUERY_BUDGET):
        assert client.get(URL).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboards/ads/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_filled_page_has_no_inline_code(client, viewer, campaigns):
    client.force_login(viewer)
    assert_strict(client.get(URL))
