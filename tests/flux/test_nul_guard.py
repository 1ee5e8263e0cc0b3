"""A URL carrying NUL, in its path or its query string, is refused with 400 before any view."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/oidc/%00/login/",  # allauth looked the provider up: a 500 on PostgreSQL
        "/webhooks/shippo/%00abc",
        "/privacy?x=%00",
        "/privacy?%00=1",
        "/privacy?x=a+%00",
        "/data-deletion/status/abc%00def",
    ],
)
def test_a_url_with_nul_is_refused_with_400(url):
    client = Client()
    assert client.get(url).status_code == 400
    assert client.post(url).status_code == 400


def test_a_percent_sign_followed_by_zeros_is_not_nul():
    assert Client().get("/privacy?x=%2500").status_code == 200


def test_the_refusal_carries_the_request_id():
    response = Client().get("/privacy?x=%00")
    assert response.status_code == 400
    assert response["X-Request-ID"]
