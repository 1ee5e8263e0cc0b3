"""The track_updated webhook through the real view: applied once, forgeries change nothing."""

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrations.connections import connection_sync
from integrations.models import Connection, Label
from sandbox.platforms.shippo import ShippoPlatform

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


@pytest.fixture
def synced(connection: Connection) -> Connection:
    connection_sync(connection_id=connection.pk, trigger="test")
    return connection


@pytest.fixture
def label(synced: Connection) -> Label:
    return Label.objects.valid().filter(tracking_status="TRANSIT")[0]


@pytest.fixture
def delivered(shippo_platform: ShippoPlatform, label: Label) -> dict[str, Any]:
    """The body Shippo sends when the label's parcel is delivered, a day after its last news."""
    assert label.tracking_status_at is not None
    at = label.tracking_status_at + timedelta(days=1)
    shippo_platform.tracking_update(
        carrier=label.carrier, tracking_number=label.tracking_number, status="DELIVERED", at=at
    )
    return shippo_platform.track_updated_body(
        carrier=label.carrier, tracking_number=label.tracking_number
    )


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


# Forgeries: every one is refused with a 4xx and leaves every label as it was.

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _not_a_date(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return True
    return False


def _forgeries(valid: dict[str, Any], token: str) -> st.SearchStrategy[tuple[str, Any]]:
    url = reverse("shippo_webhooks:track_updated", kwargs={"token": token})
    status = valid["data"]["tracking_status"]

    def with_status(**changes: Any) -> dict[str, Any]:
        return {**valid, "data": {**valid["data"], "tracking_status": {**status, **changes}}}

    def forged_url(t: str) -> str:
        return reverse("shippo_webhooks:track_updated", kwargs={"token": t})

    tokens = st.text(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=60
    )
    return st.one_of(
        tokens.filter(lambda t: t != token).map(lambda t: (forged_url(t), valid)),
        st.binary(max_size=300).map(lambda b: (url, b)),
        _json.map(lambda j: (url, j)),
        _json.map(lambda j: (url, {**valid, "data": j})),
        st.text(max_size=30)
        .filter(lambda e: e != "track_updated")
        .map(lambda e: (url, {**valid, "event": e})),
        _json.filter(lambda t: not isinstance(t, bool)).map(lambda t: (url, {**valid, "test": t})),
        _json.filter(
            lambda s: (
                s not in ("PRE_TRANSIT", "TRANSIT", "DELIVERED", "RETURNED", "FAILURE", "UNKNOWN")
            )
        ).map(lambda s: (url, with_status(status=s))),
        st.text(max_size=40).filter(_not_a_date).map(lambda d: (url, with_status(status_date=d))),
        _json.filter(lambda c: not isinstance(c, str)).map(
            lambda c: (url, {**valid, "data": {**valid["data"], "carrier": c}})
        ),
        _json.filter(lambda n: not isinstance(n, str)).map(
            lambda n: (url, {**valid, "data": {**valid["data"], "tracking_number": n}})
        ),
    )


@pytest.mark.django_db(transaction=True)
def test_a_thousand_forged_or_fuzzed_deliveries_are_refused_and_change_nothing(synced, delivered):
    token = synced.credential.secret.reveal()["webhook_token"]
    before = tracking()
    client = Client()

    @settings(
        max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    @given(_forgeries(delivered, token))
    def refused(case: tuple[str, Any]) -> None:
        url, body = case
        data = body if isinstance(body, bytes) else json.dumps(body)
        answer = client.post(url, data=data, content_type="application/json")
        assert 400 <= answer.status_code < 500

    refused()
    assert tracking() == before
