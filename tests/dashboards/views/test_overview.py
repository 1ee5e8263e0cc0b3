"""The overview renders for staff, swaps a fragment for htmx and handles bad input."""

import pytest

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
