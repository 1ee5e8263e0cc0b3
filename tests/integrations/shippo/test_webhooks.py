"""The track_updated webhook through the real view: applied once, refusals named.

Forged and malformed deliveries are fuzzed in tests/security/test_fuzz_webhooks.py.
"""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from integrations.connections import connection_sync
from integrations.models import Connection, Label

FIXTURES = Path(__file__).parent / "fixtures"


def url_for(connection: Connection) -> str:
    assert connection.credential is not None
    token = connection.credential.secret.reveal()["webhook_token"]
    return reverse("shippo_webhooks:track_updated", kwargs={"token": token})


def post(url: str, body: Any) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body)
    return Client().post(url, data=data, content_type="application/json")


def tracking() -> list[tuple[Any, ...]]:
    fields = ("object_id", "tracking_status", "tracking_status_at", "object_updated")
    return list(Label.objects.order_by("object_id").values_list(*fields))


@pytest.mark.django_db(transaction=True)
def test_a_valid_delivery_moves_its_one_label_once(synced, label, delivered):
    before = tracking()
    answer = post(url_for(synced), delivered)
    assert answer.status_code == 200
    label.refresh_from_db()
    assert label.tracking_status == "DELIVERED"
    changed = [a for a, b in zip(before, tracking(), strict=True) if a != b]
    assert [row[0] for row in changed] == [label.object_id]
    after_first = tracking()
    again = post(url_for(synced), delivered)
    assert again.status_code == 200
    assert again.content == b"Nothing to change."
    assert tracking() == after_first


@pytest.mark.django_db(transaction=True)
def test_an_older_status_never_overwrites_a_newer_one(synced, label, delivered):
    post(url_for(synced), delivered)
    stale = json.loads(json.dumps(delivered))
    older = label.tracking_status_at - timedelta(hours=1)
    stale["data"]["tracking_status"].update(status="TRANSIT", status_date=older.isoformat())
    assert post(url_for(synced), stale).status_code == 200
    label.refresh_from_db()
    assert label.tracking_status == "DELIVERED"


@pytest.mark.django_db(transaction=True)
def test_a_webhook_update_survives_the_next_sync(synced, label, delivered, shippo_platform):
    post(url_for(synced), delivered)
    shippo_platform._tracking.clear()  # the listing lags behind the webhook
    connection_sync(connection_id=synced.pk, trigger="test")
    label.refresh_from_db()
    assert label.tracking_status == "DELIVERED"


@pytest.mark.django_db(transaction=True)
def test_a_delivery_for_a_label_we_do_not_hold_is_acknowledged_and_changes_nothing(synced):
    body = json.loads((FIXTURES / "track_updated.json").read_text())
    before = tracking()
    answer = post(url_for(synced), body)
    assert answer.status_code == 200
    assert tracking() == before


@pytest.mark.django_db(transaction=True)
def test_refusals_name_their_reason(synced, delivered):
    url = url_for(synced)
    forged = reverse("shippo_webhooks:track_updated", kwargs={"token": "x" * 43})
    assert post(forged, delivered).status_code == 404
    assert post(url, b"{not json").status_code == 400
    assert post(url, {**delivered, "event": "transaction_created"}).status_code == 400
    assert (
        post(url, {**delivered, "data": {**delivered["data"], "padding": "x" * 70_000}}).status_code
        == 413
    )
    assert Client().get(url).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_a_revoked_connections_token_is_refused(synced, delivered):
    from integrations.connections import connection_revoke

    url = url_for(synced)
    connection_revoke(connection_id=synced.pk, actor="test")
    assert post(url, delivered).status_code == 404
