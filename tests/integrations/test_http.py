"""The HTTP wrapper: timeouts, bounded retries, Retry-After, refresh on 401, typed errors."""

import random
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest

from integrations.http import (
    AuthError,
    HttpClient,
    PermanentError,
    RateLimited,
    RetryPolicy,
    TransientError,
    parse_rate_limit_reset,
    parse_retry_after,
)
from tests.integrations.scripted_server import scripted_server

FAST = RetryPolicy(max_attempts=4, backoff_base=0.01, backoff_cap=0.02, read_timeout=0.5)


@pytest.fixture
def server():
    with scripted_server() as running:
        yield running


@pytest.fixture
def waits():
    return []


@pytest.fixture
def client(server, waits):
    return HttpClient(
        provider="demo",
        base_url=server.url,
        policy=FAST,
        sleep=waits.append,
        rng=random.Random(1),
        auth_headers=lambda: {"Authorization": "Bearer t0ken"},
    )


def test_a_good_answer_is_parsed_and_carries_auth_and_user_agent(server, client):
    server.then(200, '{"result": [1, 2]}')
    assert client.get_json("/1.0/things", params={"cursor": "abc"}) == {"result": [1, 2]}
    request = server.received[0]
    assert request.headers["Authorization"] == "Bearer t0ken"
    assert request.headers["User-Agent"].startswith("FluxMarketing/")
    assert request.args["cursor"] == "abc"


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried_then_succeed(server, client, waits, status):
    server.then(status).then(status).then(200, '{"ok": true}')
    assert client.get_json("/x") == {"ok": True}
    assert len(server.received) == 3
    assert len(waits) == 2
    assert all(0 <= delay <= FAST.backoff_cap for delay in waits)


def test_retries_stop_after_the_policy_attempts(server, client):
    for _ in range(10):
        server.then(503)
    with pytest.raises(TransientError) as caught:
        client.get_json("/x")
    assert caught.value.status == 503
    assert not caught.value.permanent
    assert len(server.received) == FAST.max_attempts


def test_retry_after_seconds_is_honoured(server, client, waits):
    server.then(429, headers={"Retry-After": "7"}).then(200)
    client.get_json("/x")
    assert waits == [7.0]


def test_a_retry_after_beyond_the_cap_is_raised_for_the_caller_to_schedule(server, client):
    server.then(429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimited) as caught:
        client.get_json("/x")
    assert caught.value.retry_after == 3600.0
    assert len(server.received) == 1


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_permanent_statuses_are_not_retried(server, client, status):
    server.then(status)
    with pytest.raises(PermanentError) as caught:
        client.get_json("/x")
    assert caught.value.permanent
    assert len(server.received) == 1


def test_a_401_refreshes_once_and_repeats_the_call(server, waits):
    tokens = iter(["old", "new"])
    current = {"token": next(tokens)}
    client = HttpClient(
        provider="demo",
        base_url=server.url,
        policy=FAST,
        sleep=waits.append,
        auth_headers=lambda: {"Authorization": f"Bearer {current['token']}"},
        refresh_auth=lambda: current.update(token=next(tokens)),
    )
    server.then(401).then(200, '{"ok": 1}')
    assert client.get_json("/x") == {"ok": 1}
    assert [r.headers["Authorization"] for r in server.received] == ["Bearer old", "Bearer new"]


def test_a_second_401_after_refresh_is_an_auth_error(server, client):
    client.refresh_auth = lambda: None
    server.then(401).then(401)
    with pytest.raises(AuthError):
        client.get_json("/x")
    assert len(server.received) == 2


def test_malformed_json_is_a_transient_error(server, client):
    server.then(200, '{"result": [1, 2')
    with pytest.raises(TransientError, match="malformed JSON"):
        client.get_json("/x")


def test_a_slow_answer_times_out_and_is_retried(server, client):
    server.then(200, "{}", delay=1.0).then(200, '{"fast": true}')
    assert client.get_json("/x") == {"fast": True}


def test_a_write_that_may_have_landed_is_not_retried(server, client):
    server.then(503).then(204)
    with pytest.raises(TransientError):
        client.post_json("/orders/1/fulfillments", body={"a": 1}, idempotent=False)
    assert len(server.received) == 1


def test_an_idempotent_write_is_retried(server, client):
    server.then(503).then(204, "")
    response = client.post_json(
        "/inventory/adjustments", body={}, idempotent=True, headers={"Idempotency-Key": "k1"}
    )
    assert response.status_code == 204
    assert [r.headers["Idempotency-Key"] for r in server.received] == ["k1", "k1"]


def test_a_refused_connection_is_transient_and_retried(waits):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HttpClient(
        provider="demo", base_url=f"http://127.0.0.1:{port}", policy=FAST, sleep=waits.append
    )
    with pytest.raises(TransientError, match="connection failed"):
        client.get_json("/x")
    assert len(waits) == FAST.max_attempts - 1


def test_errors_name_the_provider_and_never_the_query_string(server, client):
    server.then(404)
    with pytest.raises(PermanentError) as caught:
        client.get_json("/x", params={"access_token": "secret-token"})
    assert "secret-token" not in str(caught.value)
    assert str(caught.value).startswith("demo:")


def test_absolute_next_page_links_are_followed_as_given(server, client):
    server.then(200, '{"page": 2}')
    assert client.get_json(f"{server.url}/orders/?page=2") == {"page": 2}
    assert server.received[0].args["page"] == "2"


def test_retry_after_accepts_an_http_date():
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    later = (now + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(later, now=now) == 30.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_an_x_ratelimit_reset_time_is_honoured_when_there_is_no_retry_after(server, client, waits):
    reset = int(time.time()) + 5
    server.then(429, headers={"X-RateLimit-Reset": str(reset)}).then(200)
    client.get_json("/x")
    assert len(waits) == 1
    assert 3.0 <= waits[0] <= 5.0


def test_rate_limit_reset_parsing():
    assert parse_rate_limit_reset("1000", now=990.0) == 10.0
    assert parse_rate_limit_reset("900", now=990.0) == 0.0
    assert parse_rate_limit_reset("soon") is None
