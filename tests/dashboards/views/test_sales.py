"""The Sales page: viewers read it, htmx gets a fragment, CSV matches its table, few queries."""

import csv
import io
from datetime import timedelta

import pytest

from dashboards.ranges import brand_today
from dashboards.rollups import rollups_refresh
from tests.dashboards.selectors.test_sales import at, line, order

pytestmark = pytest.mark.django_db

# The whole page with a comparison, before its sums are cached: 8 for the page chrome, the
# rollup version, the days of both ranges, SKUs, states, cohorts, the currency and the catalog.
QUERY_BUDGET = 16


@pytest.fixture
def recent_orders() -> None:
    yesterday = brand_today() - timedelta(days=1)
    o1 = order("1", at(yesterday), 10000, email_hash="a", ship_state="NY")
    line(o1, "A-1", 2, 4000, name="Alpha")
    o2 = order("2", at(yesterday - timedelta(days=1)), 5000, email_hash="b", ship_state="CA")
    line(o2, "B-1", 1, 5000, name="Beta")
    rollups_refresh()


def test_a_viewer_sees_sales_with_formulas_and_tables(client, viewer, recent_orders):
    client.force_login(viewer)
    page = client.get("/dashboards/sales/?range=last_7").content.decode()
    assert "revenue ÷ orders" in page
    assert "First-order cohorts" in page
    assert "Alpha" in page
    assert "$150.00" in page  # revenue 100 + 50


def test_an_empty_period_says_what_to_do(client, viewer):
    client.force_login(viewer)
    assert "No orders in this period." in client.get("/dashboards/sales/").content.decode()


def test_htmx_gets_only_the_body_fragment(client, viewer, recent_orders):
    client.force_login(viewer)
    body = client.get(
        "/dashboards/sales/?range=last_7&compare=yoy", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Top SKUs" in body
    assert "<html" not in body


def test_the_sku_export_has_the_rows_the_table_shows(client, viewer, recent_orders):
    client.force_login(viewer)
    response = client.get("/dashboards/sales/?range=last_7&export=skus")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["SKU", "Product", "Units", "Line revenue"]
    assert rows[1:] == [["A-1", "Alpha", "2", "$80.00"], ["B-1", "Beta", "1", "$50.00"]]


def test_the_page_stays_within_its_query_budget(
    client, viewer, recent_orders, django_assert_max_num_queries
):
    client.force_login(viewer)
    with django_assert_max_num_queries(QUERY_BUDGET):
        client.get("/dashboards/sales/?range=last_28&compare=prev")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboards/sales/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
