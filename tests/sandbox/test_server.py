"""The hooks every platform shares: the request log, from Python and over HTTP."""

import time

import requests

from sandbox.server import Sandbox

TIMEOUT = 5


def test_each_platform_logs_its_requests_without_query_or_body(
    sandbox_app: Sandbox, sandbox_url: str
) -> None:
    before = time.time()
    requests.get(f"{sandbox_url}/shippo/orders/?access_token=secret", timeout=TIMEOUT)
    requests.post(f"{sandbox_url}/meta/v24.0/act_1/campaigns", data="token=t", timeout=TIMEOUT)

    shippo = sandbox_app.platforms["shippo"].request_log
    assert [(seen.method, seen.path) for seen in shippo] == [("GET", "/orders/")]
    assert before <= shippo[0].at <= time.time()
    logged = requests.get(f"{sandbox_url}/_sandbox/meta/request_log", timeout=TIMEOUT).json()
    assert [(r["method"], r["path"]) for r in logged["requests"]] == [
        ("POST", "/v24.0/act_1/campaigns")
    ]
    assert "secret" not in str(logged)
    assert "token=t" not in str(logged)
    assert list(sandbox_app.platforms["squarespace"].request_log) == []


def test_control_requests_are_not_logged(sandbox_app: Sandbox, sandbox_url: str) -> None:
    requests.get(f"{sandbox_url}/_sandbox/shippo/writes", timeout=TIMEOUT)
    assert list(sandbox_app.platforms["shippo"].request_log) == []
