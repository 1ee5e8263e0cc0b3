"""The sandbox Shippo API, spoken to over real loopback HTTP."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from sandbox.platforms.shippo import ShippoPlatform
from sandbox.server import Sandbox, SandboxOptions
from sandbox.testing import running_sandbox

OPTIONS = SandboxOptions(seed=31, orders=400)
AUTH = {"Authorization": "ShippoToken shippo_test_sandbox0001"}
TIMEOUT = 10


@pytest.fixture
def shippo() -> ShippoPlatform:
    return ShippoPlatform(OPTIONS)


@pytest.fixture
def base(shippo: ShippoPlatform) -> Iterator[str]:
    with running_sandbox(Sandbox([shippo])) as url:
        yield f"{url}/shippo"


def get(url: str, **params: Any) -> requests.Response:
    return requests.get(url, params=params, headers=AUTH, timeout=TIMEOUT)


def arm(base: str, route: str, fault: str) -> None:
    control = base.replace("/shippo", "/_sandbox/shippo/faults")
    answer = requests.post(control, json={"route": route, "fault": fault}, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text


def every(base: str, route: str, **params: Any) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    url: str | None = f"{base}/{route}/"
    first = True
    while url:
        page = (get(url, **params) if first else get(url)).json()
        first = False
        results += page["results"]
        url = page["next"]
    return results


@pytest.mark.parametrize(
    "header",
    [
        "",
        "ShippoToken ",
        "Bearer shippo_test_abcdef",
        "ShippoToken abcdefghijklmnop",
        "shippo_test_x",
    ],
)
def test_a_missing_or_malformed_token_is_refused(base, header):
    answer = requests.get(f"{base}/transactions/", headers={"Authorization": header}, timeout=5)
    assert answer.status_code == 401
    assert answer.json() == {"detail": "Invalid token."}


def test_transactions_page_by_absolute_next_links_to_every_label_newest_first(base, shippo):
    listed = every(base, "transactions", results=100)
    truth = shippo.brand.truth
    assert len(listed) == truth.labels_valid + truth.labels_voided
    assert len({tx["object_id"] for tx in listed}) == len(listed)
    created = [tx["object_created"] for tx in listed]
    assert created == sorted(created, reverse=True)
    assert all("created_by" in tx and tx["rate"]["shipment"] for tx in listed)


def test_a_page_holds_at_most_one_hundred_results_and_links_both_ways(base):
    first = get(f"{base}/transactions/", results=500).json()
    assert len(first["results"]) == 100
    assert first["previous"] is None
    assert first["next"].startswith("http://127.0.0.1:")
    second = get(first["next"]).json()
    assert second["previous"] is not None
    assert second["results"][0]["object_id"] != first["results"][-1]["object_id"]


def test_bad_paging_parameters_get_field_errors(base):
    answer = get(f"{base}/shipments/", page="zero", results="-3")
    assert answer.status_code == 400
    assert set(answer.json()) == {"page", "results"}
    assert get(f"{base}/shipments/", object_created_gte="yesterday").status_code == 400
    assert get(f"{base}/shipments/", page=999).status_code == 404


def test_created_since_filters_keep_only_later_objects(base, shippo):
    recent = datetime.now(UTC) - timedelta(days=20)
    since = recent.isoformat()
    shipments = every(base, "shipments", results=100, object_created_gte=since)
    transactions = every(base, "transactions", results=100, object_created_gte=since)
    orders = every(base, "orders", results=100, start_date=since)
    assert 0 < len(shipments) == len(transactions) < len(every(base, "transactions", results=100))
    assert all(s["object_created"] >= since[:19] for s in shipments)
    assert 0 < len(orders) < shippo.brand.truth.shippo_orders


def test_shippo_orders_count_matches_the_truth(base, shippo):
    orders = every(base, "orders", results=100)
    assert len(orders) == shippo.brand.truth.shippo_orders
    assert len({o["object_id"] for o in orders}) == len(orders)


def test_single_objects_answer_by_id_and_unknown_ids_get_404(base):
    tx = get(f"{base}/transactions/", results=1).json()["results"][0]
    assert get(f"{base}/transactions/{tx['object_id']}").json() == tx
    shipment = get(f"{base}/shipments/{tx['rate']['shipment']}").json()
    assert tx["rate"] in shipment["rates"]
    assert get(f"{base}/orders/{tx['order']}").json()["object_id"] == tx["order"]
    for route in ("transactions", "shipments", "orders"):
        assert get(f"{base}/{route}/{'0' * 32}").status_code == 404


def test_tracks_answer_for_a_label_and_registering_one_is_recorded(base, shippo):
    tx = get(f"{base}/transactions/", results=1).json()["results"][0]
    carrier = tx["rate"]["provider"].lower()
    track = get(f"{base}/tracks/{carrier}/{tx['tracking_number']}").json()
    assert track["transaction"] == tx["object_id"]
    body = {"carrier": carrier, "tracking_number": tx["tracking_number"], "metadata": "x"}
    answer = requests.post(f"{base}/tracks/", json=body, headers=AUTH, timeout=TIMEOUT)
    assert answer.status_code == 201
    assert answer.json()["metadata"] == "x"
    assert [w.route for w in shippo.writes] == ["track_register"]
    refused = requests.post(f"{base}/tracks/", json={"carrier": 3}, headers=AUTH, timeout=TIMEOUT)
    assert refused.status_code == 400
    assert len(shippo.writes) == 1


def test_a_tracking_update_shows_in_tracks_transactions_and_the_webhook_body(base, shippo):
    tx = get(f"{base}/transactions/", results=1).json()["results"][0]
    carrier, number = tx["rate"]["provider"].lower(), tx["tracking_number"]
    at = datetime.now(UTC).replace(microsecond=0)
    shippo.tracking_update(carrier=carrier, tracking_number=number, status="RETURNED", at=at)
    assert get(f"{base}/transactions/{tx['object_id']}").json()["tracking_status"] == "RETURNED"
    track = get(f"{base}/tracks/{carrier}/{number}").json()
    assert track["tracking_status"]["status"] == "RETURNED"
    body = shippo.track_updated_body(carrier=carrier, tracking_number=number)
    assert body["event"] == "track_updated"
    assert body["data"]["tracking_status"]["status_date"].startswith(at.isoformat()[:19])


@pytest.mark.parametrize(
    ("fault", "status", "header"),
    [
        ("rate_limited", 429, "Retry-After"),
        ("rate_limited_reset", 429, "X-RateLimit-Reset"),
        ("server_error", 500, None),
        ("unavailable", 503, None),
        ("expired_token", 401, None),
    ],
)
def test_status_faults_answer_once_then_the_route_recovers(base, fault, status, header):
    arm(base, "transactions", fault)
    faulty = get(f"{base}/transactions/")
    assert faulty.status_code == status
    assert header is None or header in faulty.headers
    assert get(f"{base}/transactions/").status_code == 200


def test_a_malformed_body_is_not_json(base):
    arm(base, "orders", "malformed")
    with pytest.raises(json.JSONDecodeError):
        json.loads(get(f"{base}/orders/").text)


def test_a_truncated_body_drops_the_connection(base):
    arm(base, "transactions", "truncated")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(f"{base}/transactions/")


def test_a_slow_answer_outlasts_a_short_read_timeout(base, shippo):
    shippo.slow_seconds = 0.5
    arm(base, "transactions", "slow")
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{base}/transactions/", headers=AUTH, timeout=(2, 0.2))


def test_a_duplicate_fault_repeats_the_previous_pages_last_record_and_loses_none(base):
    first = get(f"{base}/transactions/", results=10).json()
    arm(base, "transactions", "duplicate")
    second = get(first["next"]).json()
    assert second["results"][0] == first["results"][-1]
    assert len(second["results"]) == 10


def test_unknown_faults_are_refused_by_the_control_route(base):
    control = base.replace("/shippo", "/_sandbox/shippo/faults")
    answer = requests.post(control, json={"route": "transactions", "fault": "fire"}, timeout=5)
    assert answer.status_code == 400


def test_after_a_duplicate_fault_the_listing_still_holds_every_record(base):
    plain = every(base, "transactions", results=50)
    arm(base, "transactions", "none")
    arm(base, "transactions", "duplicate")
    shifted = every(base, "transactions", results=50)
    assert len(shifted) == len(plain) + 1
    assert {tx["object_id"] for tx in shifted} == {tx["object_id"] for tx in plain}
