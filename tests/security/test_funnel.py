"""From the internet (a Tailscale Funnel request), only the public surface answers.

Every pattern of the URL map is requested with the header Tailscale's proxy adds to Funnel
traffic, by a signed-in admin (a stolen or shared session must not open the staff app from
outside either). The internet routes answer exactly as they do on the tailnet; every other
route is a 404.
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from flux.funnel import is_public_path
from tests.security.test_url_walk import ROUTES, Route

INTERNET = {
    "healthz",
    "privacy:policy",
    "privacy:deletion",
    "privacy:deletion_status",
    "privacy:meta_callback",
    "oauth:callback",
    "squarespace_webhooks:notify",
    "shippo_webhooks:track_updated",
}
FROM_FUNNEL = {"HTTP_TAILSCALE_FUNNEL_REQUEST": "?1"}
STAFF = [route for route in ROUTES if route.name not in INTERNET]
PUBLISHED = [route for route in ROUTES if route.name in INTERNET]


def test_the_internet_routes_are_exactly_the_public_views_under_the_public_paths() -> None:
    published = {r.name for r in ROUTES if r.public and is_public_path(r.url) and not r.admin}
    assert published == INTERNET


@pytest.mark.django_db
@pytest.mark.parametrize("route", STAFF, ids=str)
def test_a_staff_route_is_not_found_from_the_internet_even_when_signed_in(
    route: Route, admin_user: User
) -> None:
    client = Client()
    client.force_login(admin_user)
    assert client.get(route.url, **FROM_FUNNEL).status_code == 404  # type: ignore[arg-type]
    assert client.post(route.url, **FROM_FUNNEL).status_code == 404  # type: ignore[arg-type]


@pytest.mark.django_db
@pytest.mark.parametrize("route", PUBLISHED, ids=str)
def test_a_public_route_answers_from_the_internet_as_on_the_tailnet(route: Route) -> None:
    tailnet, internet = Client(), Client()
    assert (
        internet.get(route.url, **FROM_FUNNEL).status_code  # type: ignore[arg-type]
        == tailnet.get(route.url).status_code
    )


@pytest.mark.django_db
def test_the_privacy_policy_and_static_files_are_served_from_the_internet() -> None:
    assert Client().get("/privacy", **FROM_FUNNEL).status_code == 200  # type: ignore[arg-type]
    assert Client().get("/healthz", **FROM_FUNNEL).status_code == 200  # type: ignore[arg-type]
    static = Client().get("/static/flux/favicon.svg", **FROM_FUNNEL)  # type: ignore[arg-type]
    assert static.status_code == 200


@pytest.mark.django_db
def test_a_request_without_the_mark_reaches_the_staff_app(admin_user: User) -> None:
    client = Client()
    client.force_login(admin_user)
    assert client.get("/dashboards/overview/").status_code == 200
    assert client.get("/dashboards/overview/", **FROM_FUNNEL).status_code == 404  # type: ignore[arg-type]
