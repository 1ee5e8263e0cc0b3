"""The overview renders for staff, swaps fragments for htmx, exports tables, stays in budget."""

import pytest

from tests.dashboards.selectors.test_overview import build_brand

pytestmark = pytest.mark.django_db


def test_a_viewer_sees_the_overview_with_formulas(client, viewer):
    client.force_login(viewer)
    page = client.get("/dashboards/overview/").content.decode()
    assert "revenue ÷ ad spend" in page
    assert 'name="range"' in page


def test_htmx_gets_only_the_body_fragment(client, viewer):
    client.force_login(viewer)
    body = client.get(
        "/dashboards/overview/?range=last_7", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Last 7 days" in body
    assert "<html" not in body
    assert 'name="range"' not in body


def test_a_malformed_range_is_explained_not_a_500(client, viewer):
    client.force_login(viewer)
    response = client.get("/dashboards/overview/?range=custom&start=nope&end=2026-01-01")
    assert response.status_code == 200
    assert "Dates must look like" in response.content.decode()


def test_an_unknown_export_is_a_400(client, viewer):
    client.force_login(viewer)
    assert client.get("/dashboards/overview/?export=nothing").status_code == 400


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboards/overview/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# ---- with data ------------------------------------------------------------------------------

# Queries one overview request may make before its sums are cached: 8 for the page chrome, the
# catalog, and for each range the rollup versions, its order, ad, repeat-customer, search and
# SKU-day sums (the range also its currency, SKU totals and campaign spend), then the campaign
# links and 4 alerts. Cached, only the chrome, catalog, versions, links and alerts are read.
QUERY_BUDGET = 29
RANGE = "range=custom&start=2026-03-01&end=2026-03-02&compare=prev"


@pytest.fixture
def brand():
    return build_brand()


def test_the_overview_shows_every_headline_with_its_formula(client, viewer, brand):
    client.force_login(viewer)
    page = client.get(f"/dashboards/overview/?{RANGE}").content.decode()
    labels = ["MER", "Blended ROAS", "New-customer revenue", "CAC", "Repeat-customer rate",
              "Contribution margin", "Organic clicks", "Meta spend", "Google Ads"]  # fmt: skip
    assert all(label in page for label in labels)
    assert "$380.00" in page  # revenue
    assert "1.90×" in page  # MER = 380 / 200
    assert "2.25×" in page  # blended ROAS = 450 / 200
    assert "$100.00" in page  # CAC = 200 / 2
    assert "66.7%" in page  # repeat rate = 2 / 3
    assert "$58.00" in page  # contribution margin
    assert "includes 1 settling days" in page


def test_the_margin_csv_has_the_rows_the_table_shows(client, viewer, brand):
    client.force_login(viewer)
    response = client.get(f"/dashboards/overview/?{RANGE}&export=margin-day")
    rows = response.content.decode().strip().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0] == "Day,Revenue,COGS,Label cost,Ad spend,Contribution margin"
    assert rows[1:] == [
        "2026-03-01,$280.00,$65.00,$20.00,$110.00,$85.00",
        "2026-03-02,$100.00,$30.00,$7.00,$90.00,$-27.00",
    ]


def test_the_product_csv_lists_catalog_products(client, viewer, brand):
    client.force_login(viewer)
    body = client.get(f"/dashboards/overview/?{RANGE}&export=margin-product").content.decode()
    assert body.splitlines()[1].startswith("Gadget,4,$140.00,$40.00,$11.80,$50.00,$38.20")


def test_the_page_stays_within_its_query_budget(client, viewer, brand,
                                                django_assert_max_num_queries):  # fmt: skip
    client.force_login(viewer)
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert client.get(f"/dashboards/overview/?{RANGE}").status_code == 200


def test_alerts_name_broken_connections_and_pending_work(client, viewer):
    from integrations.models import Connection

    Connection.objects.create(
        provider="shippo", external_account_id="2", display_name="Ship", status="disabled"
    )
    client.force_login(viewer)
    page = client.get("/dashboards/overview/").content.decode()
    assert "Broken connections: 1" in page
    assert "Shippo Ship: Disabled" in page
    assert "Pending proposals: 0" in page
    assert "Reconciliation exceptions: 0" in page


def test_without_reconciliation_its_alert_is_left_out(client, viewer, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "reconciliation.selectors", None)
    client.force_login(viewer)
    page = client.get("/dashboards/overview/").content.decode()
    assert "Reconciliation exceptions" not in page


def test_an_empty_brand_explains_the_product_table(client, viewer):
    client.force_login(viewer)
    page = client.get("/dashboards/overview/").content.decode()
    assert "No catalog products sold in this period." in page
