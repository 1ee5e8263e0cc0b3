"""The social page: viewers read it, htmx gets the fragment, CSV matches the table, in budget."""

import pytest

from tests.dashboards.selectors.test_social import build_posts

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 10
RANGE = "range=custom&start=2026-03-01&end=2026-03-02&compare=prev"


def test_a_viewer_sees_totals_best_worst_and_cadence(client, viewer):
    build_posts()
    client.force_login(viewer)
    page = client.get(f"/dashboards/social/?{RANGE}").content.decode()
    assert "engagement ÷ reach" in page
    assert "11.4%" in page  # 40 engagement ÷ 350 reach
    assert "Best posts" in page
    assert "Worst posts" in page
    assert 'id="chart-cadence"' in page


def test_the_posts_csv_has_the_rows_the_table_shows(client, viewer):
    build_posts()
    client.force_login(viewer)
    response = client.get(f"/dashboards/social/?{RANGE}&export=posts")
    rows = response.content.decode().strip().splitlines()
    assert rows[0] == "Published,Channel,Post,Type,Reach,Impressions,Engagement,Engagement rate"
    assert rows[1:] == [
        "2026-03-02 23:00,Instagram,Post i4,,0,0,0,",
        "2026-03-02 13:00,Instagram,Post i3,,50,80,20,40.0%",
        "2026-03-02 12:00,Facebook Page,Post f2,,200,300,10,5.0%",
        "2026-03-01 12:00,Facebook Page,Post f1,,100,150,10,10.0%",
    ]


def test_the_channel_csv_totals_each_channel(client, viewer):
    build_posts()
    client.force_login(viewer)
    body = client.get(f"/dashboards/social/?{RANGE}&export=channels").content.decode()
    assert body.strip().splitlines()[1:] == [
        "Facebook Page,2,300,450,20,6.7%",
        "Instagram,2,50,80,20,40.0%",
    ]


def test_htmx_gets_only_the_body_fragment(client, viewer):
    client.force_login(viewer)
    body = client.get(
        "/dashboards/social/?range=last_7", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Last 7 days" in body
    assert "<html" not in body


def test_an_empty_period_says_where_posts_come_from(client, viewer):
    client.force_login(viewer)
    assert (
        "No posts published in this period." in client.get("/dashboards/social/").content.decode()
    )


def test_the_page_stays_within_its_query_budget(client, viewer, django_assert_max_num_queries):
    build_posts()
    client.force_login(viewer)
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert client.get(f"/dashboards/social/?{RANGE}").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboards/social/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
