"""A prompt built from the whole sandbox (every provider synced) holds nothing personal."""

from collections.abc import Iterator
from typing import Any

import pytest

from integrations.models import Label, Shipment
from proposals.models import AICall, AICallStatus
from sandbox.demo import demo_connections_sync
from sandbox.platforms.anthropic import AnthropicPlatform
from sandbox.platforms.google_ads import DEMO_DEVELOPER_TOKEN, GoogleAdsPlatform
from sandbox.platforms.google_ads_server import running_google_ads
from sandbox.platforms.google_oauth import GoogleApp
from sandbox.platforms.meta import MetaApp
from sandbox.platforms.squarespace import Squarespace
from sandbox.server import Sandbox, SandboxOptions, build_sandbox
from sandbox.testing import running_sandbox

pytestmark = pytest.mark.django_db
OPTIONS = SandboxOptions(seed=4, orders=400)


@pytest.fixture
def whole_sandbox(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Sandbox]:
    """Every platform served, the app pointed at each, the demo connected and synced once."""
    sandbox = build_sandbox(OPTIONS)
    ads = sandbox.platforms["google_ads"]
    assert isinstance(ads, GoogleAdsPlatform)
    monkeypatch.setattr("integrations.meta.client.pause", lambda seconds: None)
    with running_sandbox(sandbox) as url, running_google_ads(ads) as grpc:
        for name, value in _settings(url, grpc.endpoint, str(grpc.ca_file)).items():
            setattr(settings, name, value)
        demo_connections_sync(report=lambda line: None)
        yield sandbox


def _settings(url: str, endpoint: str, ca_file: str) -> dict[str, Any]:
    google = GoogleApp()
    return {
        "SQUARESPACE_API_URL": f"{url}/squarespace", "SHIPPO_API_URL": f"{url}/shippo",
        "META_GRAPH_URL": f"{url}/meta", "META_APP_ID": MetaApp.app_id,
        "META_APP_SECRET": MetaApp.app_secret, "GOOGLE_OAUTH_URL": f"{url}/google",
        "GOOGLE_CLIENT_ID": google.client_id, "GOOGLE_CLIENT_SECRET": google.client_secret,
        "GOOGLE_ADS_ENDPOINT": endpoint, "GOOGLE_ADS_CA_FILE": ca_file,
        "GOOGLE_ADS_DEVELOPER_TOKEN": DEMO_DEVELOPER_TOKEN,
        "SEARCH_CONSOLE_URL": f"{url}/search_console/", "ANTHROPIC_BASE_URL": f"{url}/anthropic",
    }  # fmt: skip


def personal_values(sandbox: Sandbox) -> set[str]:
    """Every email, name, street line and phone the sandbox's orders and labels carry."""
    store = sandbox.platforms["squarespace"]
    assert isinstance(store, Squarespace)
    found: set[str] = set()
    for order in store.brand.orders_page(limit=10_000).orders:
        found.add(order["customerEmail"] or "")
        for address in (order["billingAddress"], order["shippingAddress"]):
            address = address or {}
            found.update(str(address.get(k) or "") for k in ("address1", "address2", "phone"))
            found.add(f"{address.get('firstName', '')} {address.get('lastName', '')}".strip())
    for model in (Label, Shipment):
        found.update(model.objects.values_list("recipient_name", flat=True))
    return {value for value in found if len(value) >= 6}


def test_the_prompt_from_the_whole_sandbox_carries_no_personal_data(whole_sandbox):
    call = AICall.objects.get()  # the demo's own agent run
    assert call.status == AICallStatus.OK, call.error
    sent = whole_sandbox.platforms["anthropic"]
    assert isinstance(sent, AnthropicPlatform)
    [request] = [r for r in sent.requests if r.path == "/v1/messages"]
    prompt = f"{request.body['system']}\n{request.body['messages']}".casefold()
    needles = personal_values(whole_sandbox)
    assert len(needles) > 400
    assert Label.objects.exclude(recipient_name="").exists()
    assert [n for n in needles if n.casefold() in prompt] == []
    for section in ("campaigns", "products", "search_opportunities"):
        assert f'<data name="{section}">' in request.body["messages"][0]["content"]
    assert call.proposals.exists()
