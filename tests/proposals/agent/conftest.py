"""The Anthropic sandbox on loopback, a connection to it, and a small shop with clear signals."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from catalog.models import Product, ProductCampaign, ProductPage
from integrations.models import (
    Campaign,
    CampaignDay,
    Connection,
    InventoryLevel,
    Order,
    OrderLine,
    SearchDay,
    SearchProperty,
)
from sandbox.platforms.anthropic import DEMO_API_KEY, AnthropicPlatform
from sandbox.server import Sandbox, SandboxOptions
from sandbox.testing import running_sandbox
from tests.catalog.factories import campaign_make, product_make, variant_make

SITE = "https://www.fluxengineering.example"
GEAR_PAGE = f"{SITE}/shop/p/gear-clock"


@dataclass
class Claude:
    platform: AnthropicPlatform
    url: str

    def arm(self, *faults: str) -> None:
        for fault in faults:
            self.platform.faults.arm("messages", fault)

    @property
    def message_requests(self) -> int:
        return sum(r.path == "/v1/messages" for r in self.platform.requests)


@pytest.fixture
def claude(settings: object) -> Iterator[Claude]:
    """Serve the Anthropic sandbox and point ANTHROPIC_BASE_URL at it."""
    platform = AnthropicPlatform(SandboxOptions())
    platform.retry_after_ms = 10
    with running_sandbox(Sandbox([platform])) as url:
        settings.ANTHROPIC_BASE_URL = f"{url}/anthropic"  # type: ignore[attr-defined]
        yield Claude(platform, url)


@pytest.fixture
def claude_connection(claude: Claude, db: None) -> Connection:
    """Connect the sandbox's demo key the shell way; forget the key check's request."""
    call_command("connect", "anthropic", "--api-key", DEMO_API_KEY)
    claude.platform.requests.clear()
    return Connection.objects.get(provider="anthropic")


@dataclass
class Shop:
    winner: Campaign
    loser: Campaign
    paused: Campaign
    clock: Product
    socks: Product


def _days(campaign: Campaign, *, spend: int, value: int, conversions: int) -> None:
    """Give a campaign 30 days ending yesterday: 40 clicks a day, money in major units."""
    today = datetime.now(UTC).date()
    CampaignDay.objects.bulk_create(
        CampaignDay(campaign=campaign, day=today - timedelta(days=n), impressions=3_000,
                    clicks=40, spend_micros=spend * 1_000_000, conversions=conversions,
                    conversion_value_micros=value * 1_000_000, settling=n <= 3)
        for n in range(1, 31)
    )  # fmt: skip


def _key(query: str, n: int) -> str:
    return hashlib.sha256(f"{query}:{n}".encode()).hexdigest()[:40]


def search_rows(page: str, query: str, *, position: float, impressions: int) -> None:
    connection, _ = Connection.objects.get_or_create(
        provider="search_console", external_account_id="sc"
    )
    prop, _ = SearchProperty.objects.get_or_create(connection=connection, site_url="sc-domain:flux")
    today = datetime.now(UTC).date()
    SearchDay.objects.bulk_create(
        SearchDay(search_property=prop, day=today - timedelta(days=n), query=query, page=page,
                  country="usa", device="MOBILE", row_key=_key(query, n), clicks=2,
                  impressions=impressions, position=position)
        for n in range(1, 15)
    )  # fmt: skip


def _sale(connection: Connection, sku: str, *, quantity: int) -> None:
    when = datetime.now(UTC) - timedelta(days=2)
    order = Order.objects.create(
        connection=connection,
        provider_order_id="o-1",
        order_number="1001",
        created_on=when,
        modified_on=when,
        fulfillment_status="FULFILLED",
        currency="USD",
        grand_total=26_997,
    )
    OrderLine.objects.create(order=order, provider_line_id="l-1", line_type="PHYSICAL",
                             sku=sku, product_name="Gear Clock", quantity=quantity,
                             unit_price=8_999)  # fmt: skip


@pytest.fixture
def shop(db: None) -> Shop:
    """A winner (ROAS 4), a loser (CPA ten times the rest), a paused one, stock, search."""
    winner = campaign_make("Gear Clock Prospecting", daily_budget=10_000)
    loser = campaign_make("Sock Retargeting", daily_budget=8_000)
    paused = campaign_make("Old Launch", daily_budget=5_000, status="PAUSED")
    _days(winner, spend=90, value=360, conversions=6)
    _days(loser, spend=60, value=20, conversions=0)
    _days(paused, spend=0, value=0, conversions=0)
    clock = product_make("Gear Clock", description="A kinetic wall clock.", keywords=["gear clock"])
    socks = product_make("Bearing Socks", price=1400, keywords=["engineer socks"])
    stock = Connection.objects.create(provider="squarespace", external_account_id="store")
    for product, sku, quantity in ((clock, "GC-1", 40), (socks, "BS-1", 2)):
        variant_make(product, sku)
        InventoryLevel.objects.create(connection=stock, variant_id=sku, sku=sku, quantity=quantity)
    ProductCampaign.objects.create(product=clock, campaign=winner)
    ProductCampaign.objects.create(product=socks, campaign=loser)
    ProductPage.objects.create(product=clock, url=GEAR_PAGE)
    search_rows(GEAR_PAGE, "best gear clock", position=12.5, impressions=60)
    _sale(stock, "GC-1", quantity=3)
    return Shop(winner, loser, paused, clock, socks)
