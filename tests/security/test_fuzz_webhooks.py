"""Fuzzing the platform webhooks: Squarespace's order notifications and Shippo's tracking.

Forged (unsigned, wrongly signed, unknown URL token) and malformed (signed but not a
notification of ours) deliveries, with any method and headers: each answers 4xx, and no
table gains or loses a row, so no order, label or delivery record moves.
"""

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import strategies as st

from integrations.models import Connection
from sandbox.platforms.squarespace import signature
from tests.integrations.shippo.conftest import (  # noqa: F401 - fixtures
    connection,
    delivered,
    label,
    shippo_platform,
    shippo_url,
    synced,
)
from tests.integrations.squarespace.conftest import oauth_connection, site  # noqa: F401
from tests.security.fuzzing import ANY_METHOD, HEADERS, JSONISH, Hostile, fuzz, send

pytestmark = pytest.mark.django_db
JSON = "application/json"
SQUARESPACE = "/webhooks/squarespace/"


def squarespace_secret(site_connection: Connection) -> str:
    assert site_connection.credential is not None
    return str(site_connection.credential.secret.reveal()["webhook_secret"])


def unsigned(body: bytes, sig: str, headers: dict[str, str]) -> Hostile:
    headers = {**headers, "Squarespace-Signature": sig}
    return Hostile("POST", SQUARESPACE, body=body, content_type=JSON, headers=headers)


def notifications(website: str) -> st.SearchStrategy[dict[str, Any]]:
    """Notification-shaped objects none of which is an order notification of `website`."""
    topics = st.sampled_from(["order.create", "order.update"])
    other_topic = st.text(max_size=20).filter(lambda t: t not in ("order.create", "order.update"))
    no_order = JSONISH.filter(lambda d: not isinstance(d, dict) or "orderId" not in d)
    order = st.fixed_dictionaries({"orderId": st.text(max_size=24)})
    return st.one_of(
        st.fixed_dictionaries(
            {"id": st.text(max_size=12), "websiteId": st.just(website), "topic": other_topic,
             "data": JSONISH}
        ),
        st.fixed_dictionaries(
            {"id": st.just("n1"), "websiteId": st.just(website), "topic": topics,
             "data": no_order}
        ),
        st.fixed_dictionaries(
            {"id": st.just("n1"), "websiteId": st.text(max_size=24).filter(lambda w: w != website),
             "topic": topics, "data": order}
        ),
    )  # fmt: skip


def squarespace_forgeries(site_connection: Connection) -> st.SearchStrategy[Hostile]:
    secret = squarespace_secret(site_connection)

    def signed(body: bytes, headers: dict[str, str]) -> Hostile:
        return unsigned(body, signature(secret, body), headers)

    signatures = st.text(st.characters(max_codepoint=255), max_size=80)
    forged = st.builds(
        unsigned, st.binary(max_size=2048), signatures | st.from_regex(r"\A[0-9a-f]{64}\Z"), HEADERS
    )
    noise = st.dictionaries(st.text(max_size=10), JSONISH, max_size=3)
    malformed = st.builds(
        lambda payload, extra, headers: signed(json.dumps({**extra, **payload}).encode(), headers),
        notifications(site_connection.external_account_id),
        noise,
        HEADERS,
    )
    notJSONISH = st.builds(signed, st.binary(max_size=500), HEADERS)
    wrong_method = st.builds(
        lambda method, request: replace(request, method=method),
        ANY_METHOD.filter(lambda m: m != "POST"),
        malformed,
    )
    return st.one_of(forged, malformed, malformed, notJSONISH, wrong_method)


def test_a_thousand_forged_or_malformed_squarespace_notifications_get_4xx(site, oauth_connection):  # noqa: F811
    client = Client()
    statuses = fuzz(squarespace_forgeries(oauth_connection), lambda request: send(client, request))
    assert {400, 401, 405} <= set(statuses)


# --- Shippo: track_updated at /webhooks/shippo/<token> ------------------------------------------


def not_a_date(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return True
    return False


def shippo_forgeries(valid: dict[str, Any], token: str) -> st.SearchStrategy[tuple[str, Any]]:
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
        JSONISH.map(lambda j: (url, j)),
        JSONISH.map(lambda j: (url, {**valid, "data": j})),
        st.text(max_size=30)
        .filter(lambda e: e != "track_updated")
        .map(lambda e: (url, {**valid, "event": e})),
        JSONISH.filter(lambda t: not isinstance(t, bool)).map(
            lambda t: (url, {**valid, "test": t})
        ),
        JSONISH.filter(
            lambda s: (
                s not in ("PRE_TRANSIT", "TRANSIT", "DELIVERED", "RETURNED", "FAILURE", "UNKNOWN")
            )
        ).map(lambda s: (url, with_status(status=s))),
        st.text(max_size=40).filter(not_a_date).map(lambda d: (url, with_status(status_date=d))),
        JSONISH.filter(lambda c: not isinstance(c, str)).map(
            lambda c: (url, {**valid, "data": {**valid["data"], "carrier": c}})
        ),
        JSONISH.filter(lambda n: not isinstance(n, str)).map(
            lambda n: (url, {**valid, "data": {**valid["data"], "tracking_number": n}})
        ),
    )


SHIPPO_METHODS = ["POST"] * 9 + ["GET", "PUT"]


def as_request(case: tuple[str, Any], headers: dict[str, str], method: str) -> Hostile:
    url, body = case
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Hostile(method, url, body=data, content_type=JSON, headers=headers)


def test_a_thousand_forged_or_malformed_shippo_deliveries_get_4xx(synced, delivered):  # noqa: F811
    assert synced.credential is not None
    token = synced.credential.secret.reveal()["webhook_token"]
    client = Client()
    cases = st.builds(
        as_request, shippo_forgeries(delivered, token), HEADERS, st.sampled_from(SHIPPO_METHODS)
    )
    statuses = fuzz(cases, lambda request: send(client, request))
    assert {400, 404, 405} <= set(statuses)
