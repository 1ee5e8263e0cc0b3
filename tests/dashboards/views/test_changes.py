"""The what-changed page: timeline chart, event list, CSV, fragment, budget."""

import json
import re
from typing import Any

import pytest

from tests.dashboards.selectors.test_changes import build_events

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 16
RANGE = "range=custom&start=2026-03-01&end=2026-03-02&compare=prev"


def chart_config(page: str, chart_id: str) -> dict[str, Any]:
    found = re.search(
        rf'<script id="{chart_id}" type="application/json">(.*?)</script>', page, re.S
    )
    assert found, chart_id
    config: dict[str, Any] = json.loads(found.group(1))
    return config


def test_the_timeline_draws_revenue_spend_and_events_per_day(client, viewer):
    build_events()
    client.force_login(viewer)
    page = client.get(f"/dashboards/changes/?{RANGE}").content.decode()
    config = chart_config(page, "chart-timeline")
    names = [dataset["label"] for dataset in config["data"]["datasets"]]
    assert names == ["Revenue", "Ad spend", "Events"]
    assert config["data"]["datasets"][2]["data"] == [1, 4]  # 1 March: 1; 2 March: 4
    assert "Stock-out: <strong>1</strong>" in page


def test_the_events_csv_lists_what_the_table_shows(client, viewer):
    build_events()
    client.force_login(viewer)
    body = client.get(f"/dashboards/changes/?{RANGE}&export=events").content.decode()
    rows = body.strip().splitlines()
    assert rows[0] == "When,What happened,Detail"
    assert rows[1] == "2026-03-02 18:00,Reconciliation exception,missing in shippo: order #1042"
    assert len(rows) == 1 + 5


def test_a_quiet_period_says_so(client, viewer):
    client.force_login(viewer)
    page = client.get("/dashboards/changes/").content.decode()
    assert "Nothing happened in this period." in page


def test_htmx_gets_only_the_body_fragment(client, viewer):
    client.force_login(viewer)
    body = client.get(
        "/dashboards/changes/?range=last_90&compare=yoy", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Last 90 days" in body
    assert "<html" not in body


def test_the_page_stays_within_its_query_budget(client, viewer, django_assert_max_num_queries):
    build_events()
    client.force_login(viewer)
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert client.get(f"/dashboards/changes/?{RANGE}").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboards/changes/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
