"""The sandbox's Squarespace, spoken to over real loopback HTTP."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox.platforms.squarespace import DEMO_API_KEY, Squarespace, SquarespaceApp, signature
from sandbox.server import Sandbox, SandboxOptions, build_sandbox

KEY = {"Authorization": f"Bearer {DEMO_API_KEY}", "User-Agent": "tests/1.0"}
TIMEOUT = 5


@pytest.fixture
def sandbox_app() -> Sandbox:
    return build_sandbox(SandboxOptions(seed=8101, orders=130))


def get(url: str, headers: dict[str, str] = KEY, **params: str) -> requests.Response:
    return requests.get(url, headers=headers, params=params, timeout=TIMEOUT)


def test_a_request_without_a_user_agent_is_refused(sandbox_url: str):
    answer = requests.get(
        f"{sandbox_url}/squarespace/1.0/commerce/orders",
        headers={"Authorization": KEY["Authorization"], "User-Agent": ""},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 400
    assert answer.json()["type"] == "INVALID_REQUEST_ERROR"


def test_an_unknown_token_gets_the_error_object(sandbox_url: str):
    answer = get(
        f"{sandbox_url}/squarespace/1.0/commerce/orders",
        {"Authorization": "Bearer x", "User-Agent": "t"},
    )
    assert answer.status_code == 401
    assert set(answer.json()) == {"type", "subtype", "message", "details", "contextId"}


def test_orders_list_ascending_in_pages_of_fifty_to_the_end(sandbox_url: str):
    url: str | None = f"{sandbox_url}/squarespace/1.0/commerce/orders"
    seen: list[str] = []
    sizes = []
    while url:
        body = get(url).json()
        sizes.append(len(body["result"]))
        seen += [order["modifiedOn"] for order in body["result"]]
        url = body["pagination"]["nextPageUrl"]
    assert sizes == [50, 50, 30]
    assert seen == sorted(seen)


def test_the_date_range_comes_whole_and_never_with_a_cursor(sandbox_url: str):
    orders = f"{sandbox_url}/squarespace/1.0/commerce/orders"
    alone = get(orders, modifiedAfter="2020-01-01T00:00:00Z")
    assert alone.status_code == 400
    assert alone.json()["subtype"] == "MISSING_ARGUMENT"
    cursor = get(orders).json()["pagination"]["nextPageCursor"]
    both = get(
        orders,
        cursor=cursor,
        modifiedAfter="2020-01-01T00:00:00Z",
        modifiedBefore="2030-01-01T00:00:00Z",
    )
    assert both.status_code == 400
    assert get(orders, cursor="garbage").status_code == 400


def test_the_cursor_carries_the_filter(sandbox_url: str):
    orders = f"{sandbox_url}/squarespace/1.0/commerce/orders"
    first = get(orders, fulfillmentStatus="FULFILLED").json()
    rest = get(orders, cursor=first["pagination"]["nextPageCursor"]).json()["result"]
    assert {o["fulfillmentStatus"] for o in first["result"] + rest} == {"FULFILLED"}


def test_an_edit_over_http_names_orders_that_can_be_fetched_one_by_one(sandbox_url: str):
    edited = requests.post(
        f"{sandbox_url}/_sandbox/squarespace/edit_orders", json={"count": 2}, timeout=TIMEOUT
    )
    ids = edited.json()["edited"]
    one = get(f"{sandbox_url}/squarespace/1.0/commerce/orders/{ids[0]}").json()
    assert one["id"] == ids[0]
    assert get(f"{sandbox_url}/squarespace/1.0/commerce/orders/nope").status_code == 404


def test_fulfilling_answers_204_and_is_recorded(sandbox_app: Sandbox, sandbox_url: str):
    order = get(f"{sandbox_url}/squarespace/1.0/commerce/orders").json()["result"][0]
    answer = requests.post(
        f"{sandbox_url}/squarespace/1.0/commerce/orders/{order['id']}/fulfillments",
        json={"shouldSendNotification": False, "shipments": [{"carrierName": "USPS"}]},
        headers=KEY,
        timeout=TIMEOUT,
    )
    assert answer.status_code == 204
    assert [w.route for w in sandbox_app.platforms["squarespace"].writes] == ["fulfil"]


def test_inventory_pages_through_every_item(sandbox_app: Sandbox, sandbox_url: str):
    first = get(f"{sandbox_url}/squarespace/1.0/commerce/inventory").json()
    rest = get(
        f"{sandbox_url}/squarespace/1.0/commerce/inventory",
        cursor=first["pagination"]["nextPageCursor"],
    ).json()
    platform = sandbox_app.platforms["squarespace"]
    assert isinstance(platform, Squarespace)
    assert len(first["inventory"]) + len(rest["inventory"]) == len(platform.brand.inventory())


def tokens(base: str, **body: str) -> requests.Response:
    app = SquarespaceApp()
    return requests.post(
        f"{base}/squarespace/api/1/login/oauth/provider/tokens",
        json=body, auth=(app.client_id, app.client_secret), timeout=TIMEOUT,
    )  # fmt: skip


def code_for(base: str, **extra: str) -> requests.Response:
    params = {"client_id": SquarespaceApp.client_id, "redirect_uri": "http://app/cb", "state": "s1",
              "access_type": "offline", **extra}  # fmt: skip
    url = f"{base}/squarespace/api/1/login/oauth/provider/authorize"
    return requests.get(url, params=params, allow_redirects=False, timeout=TIMEOUT)


def test_refresh_tokens_rotate_and_a_used_one_dies(sandbox_url: str):
    code = parse_qs(urlsplit(code_for(sandbox_url).headers["Location"]).query)["code"][0]
    first = tokens(
        sandbox_url, grant_type="authorization_code", code=code, redirect_uri="http://app/cb"
    ).json()
    second = tokens(sandbox_url, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    again = tokens(sandbox_url, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert again.status_code == 400
    bearer = {"Authorization": f"Bearer {second.json()['access_token']}", "User-Agent": "t"}
    assert get(f"{sandbox_url}/squarespace/1.0/authorization/website", bearer).status_code == 200


def test_a_denied_consent_returns_access_denied(sandbox_url: str):
    query = parse_qs(urlsplit(code_for(sandbox_url, deny="1").headers["Location"]).query)
    assert query == {"error": ["access_denied"], "state": ["s1"]}


def test_an_unknown_fault_is_refused_and_a_known_one_bites_once(sandbox_url: str):
    arm = f"{sandbox_url}/_sandbox/squarespace/faults"
    assert (
        requests.post(arm, json={"route": "orders", "fault": "nope"}, timeout=TIMEOUT).status_code
        == 400
    )
    requests.post(arm, json={"route": "orders", "fault": "rate_limited"}, timeout=TIMEOUT)
    limited = get(f"{sandbox_url}/squarespace/1.0/commerce/orders")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "60"
    assert get(f"{sandbox_url}/squarespace/1.0/commerce/orders").status_code == 200


def test_a_notification_is_signed_with_the_hex_decoded_secret(
    sandbox_app: Sandbox, sandbox_url: str
):
    platform = sandbox_app.platforms["squarespace"]
    assert isinstance(platform, Squarespace)
    code = parse_qs(urlsplit(code_for(sandbox_url).headers["Location"]).query)["code"][0]
    access = tokens(
        sandbox_url, grant_type="authorization_code", code=code, redirect_uri="http://app/cb"
    ).json()["access_token"]
    bearer = {"Authorization": f"Bearer {access}", "User-Agent": "t"}
    subscribe = f"{sandbox_url}/squarespace/1.0/webhook_subscriptions"
    wanted = {"endpointUrl": "http://app/hook", "topics": ["order.update"]}
    sub = requests.post(subscribe, headers=bearer, json=wanted, timeout=TIMEOUT)
    assert sub.status_code == 201
    by_key = requests.post(subscribe, headers=KEY, json=wanted, timeout=TIMEOUT)
    assert by_key.status_code == 403
    shown = requests.post(
        f"{sandbox_url}/_sandbox/squarespace/notification", json={"orderId": "abc"}, timeout=TIMEOUT
    ).json()
    assert shown["headers"]["Squarespace-Signature"] == signature(
        sub.json()["secret"], shown["body"].encode()
    )
