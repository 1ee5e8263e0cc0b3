"""The Inventory page: viewers read it, htmx gets a fragment, CSV matches its table, few queries."""

import csv
import io
from datetime import timedelta

import pytest

from catalog.models import ProductCampaign
from dashboards.ranges import brand_today
from dashboards.rollups import rollups_refresh
from tests.catalog.factories import campaign_make, product_make, variant_make
from tests.dashboards.selectors.test_inventory import level, sold

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 13  # the whole page: stock, sales, stock-outs, links, freshness, session, roles


@pytest.fixture
def stock() -> None:
    level("A-1", 10)
    level("D-1", 0, unlimited=True)
    sold("A-1", 56, brand_today() - timedelta(days=3))
    alpha = product_make("Alpha")
    variant_make(alpha, "A-1")
    ProductCampaign.objects.create(
        product=alpha, campaign=campaign_make("Alpha | Sales", daily_budget=5000)
    )
    rollups_refresh()


def test_a_viewer_sees_cover_risk_and_advertised_shortages(client, viewer, stock):
    client.force_login(viewer)
    page = client.get("/dashboards/inventory/").content.decode()
    assert "Days of cover = stock ÷ velocity" in page
    assert "Alpha | Sales" in page
    assert "$50.00" in page
    assert "A-1 (high, 10 left)" in page


def test_an_empty_store_says_what_to_do(client, viewer):
    client.force_login(viewer)
    assert "No inventory synced yet." in client.get("/dashboards/inventory/").content.decode()


def test_htmx_gets_only_the_body_fragment(client, viewer, stock):
    client.force_login(viewer)
    body = client.get(
        "/dashboards/inventory/?range=last_7", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Stock by SKU" in body
    assert "<html" not in body


def test_the_stock_export_has_the_rows_the_table_shows(client, viewer, stock):
    client.force_login(viewer)
    rows = list(csv.reader(io.StringIO(
        client.get("/dashboards/inventory/?export=stock").content.decode()
    )))  # fmt: skip
    assert rows[0][:6] == ["SKU", "Product", "Stock", "Units/day (28 d)", "Days of cover",
                           "Stock-out risk"]  # fmt: skip
    assert rows[1][:6] == ["A-1", "Alpha", "10", "2.00", "5.0", "High"]
    assert rows[2][:6] == ["D-1", "not in catalog", "∞", "0.00", "∞", "None (unlimited)"]


def test_the_page_stays_within_its_query_budget(
    client, viewer, stock, django_assert_max_num_queries
):
    client.force_login(viewer)
    with django_assert_max_num_queries(QUERY_BUDGET):
        client.get("/dashboards/inventory/")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboards/inventory/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
