"""In a real browser: a viewer opens every dashboard, changes range and comparison, exports CSV.

The brand is small and realistic, dated relative to today so the default ranges hold it: two
months of orders with lines and labels, Meta and Google campaigns with settling days, Search
Console rows and their rollup, inventory with a stock-out, social posts and an executed action.
"""

import csv
import io
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from catalog.models import Product, ProductCampaign, ProductVariant
from dashboards.ranges import brand_today
from dashboards.rollups import rollups_refresh
from dashboards.views.base import PAGES
from flux.audit.models import AuditEvent
from integrations.models import (
    AdAccount,
    Campaign,
    CampaignDay,
    Connection,
    InventoryChange,
    InventoryLevel,
    Label,
    Order,
    OrderLine,
    SearchDay,
    SearchProperty,
    SocialPost,
)
from integrations.models.search import SearchQueryPageDay

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DAYS = 60


def _at(days_ago: int, hour: int = 12) -> datetime:
    zone = ZoneInfo(settings.FLUX_BRAND_TIME_ZONE)
    return datetime.combine(brand_today() - timedelta(days=days_ago), time(hour), tzinfo=zone)


def _connection(provider: str) -> Connection:
    return Connection.objects.create(
        provider=provider, external_account_id=f"e2e-{provider}", display_name="Flux"
    )


def small_brand() -> None:
    """Create two months of a small brand's data across every source."""
    connections = {p: _connection(p) for p in ("meta", "google_ads", "search_console",
                                               "squarespace", "shippo")}  # fmt: skip
    _commerce(connections["squarespace"], connections["shippo"])
    _ads(connections)
    _search(connections["search_console"])
    _social_and_events(connections)
    rollups_refresh()  # as the orders, Shippo, ads and Search Console syncs do


def _commerce(shop: Connection, shippo: Connection) -> None:
    kit = Product.objects.create(name="Stirling Kit", slug="stirling-kit", price=7499,
                                 unit_cost=3000)  # fmt: skip
    ProductVariant.objects.create(product=kit, sku="KIT-1")
    for n in range(1, DAYS * 2):
        day = n // 2 + 1
        order = Order.objects.create(
            connection=shop, provider_order_id=f"o{n}", order_number=str(1000 + n),
            created_on=_at(day), modified_on=_at(day), fulfillment_status="FULFILLED",
            currency="USD", grand_total=7499 + 800, shipping_total=800,
            email_hash=f"customer-{n % 45}", ship_state="NY",
        )  # fmt: skip
        OrderLine.objects.create(order=order, provider_line_id="1", line_type="PHYSICAL",
                                 sku="KIT-1", product_name="Stirling Kit", quantity=1,
                                 unit_price=7499)  # fmt: skip
        Label.objects.create(
            connection=shippo, object_id=f"L{n}", object_state="VALID", status="SUCCESS",
            object_created=_at(day, 18), object_updated=_at(day, 18), label_cost=650,
            currency="USD", metadata=f"Order #{1000 + n}",
        )  # fmt: skip
    level = InventoryLevel.objects.create(connection=shop, variant_id="v1", sku="KIT-1",
                                          quantity=2)  # fmt: skip
    InventoryChange.objects.create(level=level, observed_at=_at(3), quantity_before=1,
                                   quantity_after=0)  # fmt: skip


def _ads(connections: dict[str, Connection]) -> None:
    for platform in ("meta", "google_ads"):
        account = AdAccount.objects.create(
            connection=connections[platform], platform=platform, external_id=f"{platform}-1",
            name="Flux", currency="USD", time_zone=settings.FLUX_BRAND_TIME_ZONE,
        )  # fmt: skip
        campaign = Campaign.objects.create(
            ad_account=account, platform=platform, external_id="c1", name=f"{platform} kits",
            status="ACTIVE", daily_budget=3000, currency="USD",
        )  # fmt: skip
        ProductCampaign.objects.create(product=Product.objects.get(), campaign=campaign)
        CampaignDay.objects.bulk_create(
            CampaignDay(campaign=campaign, day=brand_today() - timedelta(days=d),
                        impressions=2000 + d, clicks=40, spend_micros=25_000_000,
                        conversions=Decimal(2), conversion_value_micros=90_000_000,
                        settling=d <= 3)
            for d in range(1, DAYS + 1)
        )  # fmt: skip


def _search(search_console: Connection) -> None:
    prop = SearchProperty.objects.create(connection=search_console, site_url="sc-domain:flux")
    for d in range(1, DAYS + 1):
        day = brand_today() - timedelta(days=d)
        SearchDay.objects.bulk_create(
            SearchDay(search_property=prop, day=day, query=query, page=f"/{slug}",
                      country="usa", device="DESKTOP", row_key=f"{d}-{slug}",
                      clicks=5 + n, impressions=200, position=3.0 + 4 * n, fresh=d <= 2)
            for n, (query, slug) in enumerate([("stirling engine kit", "kit"),
                                               ("heat engine model", "guide")])
        )  # fmt: skip
        SearchQueryPageDay.objects.rebuild(prop.pk, day)


def _social_and_events(connections: dict[str, Connection]) -> None:
    for n in range(12):
        SocialPost.objects.create(
            connection=connections["meta"], channel=("facebook", "instagram")[n % 2],
            external_id=f"post-{n}", published_at=_at(2 + n * 4, 10), text=f"Build day {n}",
            reach=400 + 30 * n, impressions=600 + 40 * n, engagement=20 + n,
        )  # fmt: skip
    AuditEvent.objects.create(
        occurred_at=_at(5, 9), actor_label="otto", action="execution.campaign_paused",
        target_label="meta kits",
    )  # fmt: skip


def _period_header(page) -> str:
    return str(page.locator("#dashboard-body h1 + div").first.inner_text())


def _change_period(page) -> None:
    """Pick the last 7 days, then the same period last year; both swap the body with htmx."""
    page.select_option("#period-range", "last_7")
    page.wait_for_url(lambda url: "range=last_7" in url)
    page.wait_for_function("document.querySelector('#dashboard-body').innerText"
                           ".includes('Last 7 days')")  # fmt: skip
    assert "(7 days)" in _period_header(page)
    page.select_option("#period-compare", "yoy")
    page.wait_for_url(lambda url: "compare=yoy" in url)
    page.wait_for_function("document.querySelector('#dashboard-body').innerText"
                           ".includes('compared with')")  # fmt: skip
    this_year, last_year = brand_today().year, brand_today().year - 1
    header = _period_header(page)
    assert str(this_year) in header
    assert str(last_year) in header
    # The URL holds the state: opening it afresh shows the same period.
    page.goto(page.url)
    assert page.locator("#period-range").input_value() == "last_7"
    assert page.locator("#period-compare").input_value() == "yoy"


def test_a_viewer_works_through_every_dashboard(
    browser_page, sign_in, live_server, viewer, screenshot
):
    small_brand()
    page = browser_page
    sign_in(page, viewer)
    for slug, label, _icon in PAGES:
        page.goto(f"{live_server.url}{reverse(f'dashboards:{slug}')}")
        assert page.locator("#dashboard-body h1").inner_text() == label
        before = _period_header(page)
        _change_period(page)
        assert _period_header(page) != before
        page.wait_for_load_state("networkidle")
        screenshot(page, f"dashboard-{slug}")


def test_a_table_exports_the_rows_it_shows(browser_page, sign_in, live_server, viewer):
    small_brand()
    page = browser_page
    sign_in(page, viewer)
    page.goto(f"{live_server.url}{reverse('dashboards:overview')}?range=last_7&compare=none")
    shown = page.locator("#dashboard-body table").first.locator("tbody tr").count()
    with page.expect_download() as download:
        page.locator("a[href*='export=margin-day']").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text())))
    assert rows[0][0] == "Day"
    assert len(rows) - 1 == shown == 7
    days = {(brand_today() - timedelta(days=d)).isoformat() for d in range(1, 8)}
    assert {row[0] for row in rows[1:]} == days
