"""Squarespace order notifications: applied once when signed, refused and inert otherwise.

Forged and malformed notifications are fuzzed in tests/security/test_fuzz_webhooks.py.
"""

import hashlib
import hmac
import json

import pytest
from django.test import Client
from django.urls import reverse

from integrations.models import Connection, Order, WebhookDelivery
from sandbox.platforms.squarespace import signature
from tests.integrations.squarespace.conftest import Site

pytestmark = pytest.mark.django_db
URL = "/webhooks/squarespace/"


def post(body: bytes, headers: dict[str, str]) -> int:
    sent = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    return Client().post(URL, data=body, content_type="application/json", headers=sent).status_code


def secret_of(connection: Connection) -> str:
    return str(connection.credential.secret.reveal()["webhook_secret"])  # type: ignore[union-attr]


def test_the_url_is_the_one_subscribed(site: Site, oauth_connection: Connection):
    (sub,) = site.platform.subscriptions.values()
    assert sub.endpoint_url.endswith(reverse("squarespace_webhooks:notify"))
    assert reverse("squarespace_webhooks:notify") == URL


def test_a_signed_notification_fetches_and_stores_the_order_once(
    site: Site, oauth_connection: Connection
):
    (order_id,) = site.platform.edit_orders(1)
    _, body, headers = site.platform.notification(order_id, "order.update")
    assert post(body, headers) == 200
    stored = Order.objects.get(provider_order_id=order_id)
    fresh = site.brand.order(order_id)
    assert fresh is not None
    assert stored.fulfillment_status == fresh["fulfillmentStatus"]
    assert stored.lines.count() == len(fresh["lineItems"])
    assert post(body, headers) == 200  # a replay: answered, and nothing changes
    assert (Order.objects.count(), WebhookDelivery.objects.count()) == (1, 1)


def test_a_body_signed_with_the_raw_secret_string_is_refused(
    site: Site, oauth_connection: Connection
):
    _, body, headers = site.platform.notification(site.platform.edit_orders(1)[0])
    wrong = hmac.new(secret_of(oauth_connection).encode(), body, hashlib.sha256).hexdigest()
    assert post(body, {**headers, "Squarespace-Signature": wrong}) == 401
    assert not Order.objects.exists()


def test_an_oversized_body_is_refused_before_anything_else(
    site: Site, oauth_connection: Connection
):
    body = b'{"pad": "' + b"x" * 70_000 + b'"}'
    headers = {"Squarespace-Signature": signature(secret_of(oauth_connection), body)}
    assert post(body, headers) == 413


def test_a_signed_notification_of_another_site_is_refused(site: Site, oauth_connection: Connection):
    _, body, _headers = site.platform.notification(site.platform.edit_orders(1)[0])
    other = json.loads(body) | {"websiteId": "ffffffffffffffffffffffff"}
    forged = json.dumps(other).encode()
    assert (
        post(forged, {"Squarespace-Signature": signature(secret_of(oauth_connection), forged)})
        == 400
    )
    assert not WebhookDelivery.objects.exists()
