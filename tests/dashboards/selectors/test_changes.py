"""What-changed selectors: each source's events, and only the events that qualify."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from dashboards.ranges import DateRange
from dashboards.selectors.changes import Kind, events_in
from flux.audit.models import AuditEvent
from integrations.models import Connection, InventoryChange, InventoryLevel, Order, SocialPost

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("America/New_York")
DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2)
PERIOD = DateRange(DAY1, DAY2)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


def connection(provider: str) -> Connection:
    found, _ = Connection.objects.get_or_create(
        provider=provider, external_account_id=provider, display_name=provider
    )
    return found


def audit(action: str, when: datetime, target: str = "Spring sale") -> None:
    AuditEvent.objects.create(
        occurred_at=when, actor_label="otto", action=action, target_label=target
    )


def stock_change(level: InventoryLevel, when: datetime, before: int | None, after: int) -> None:
    InventoryChange.objects.create(
        level=level, observed_at=when, quantity_before=before, quantity_after=after
    )


def build_events() -> None:
    """Two executed actions, a post, a stock-out and an exception in the period, and noise."""
    audit("execution.campaign_paused", at(DAY1, 9))
    audit("action.budget_changed", at(DAY2, 10), "Brand search")
    audit("catalog.product_updated", at(DAY2, 11))  # an edit, not an execution
    audit("execution.campaign_paused", at(date(2026, 3, 5)))  # outside the period
    SocialPost.objects.create(
        connection=connection("meta"), channel="instagram", external_id="i1",
        published_at=at(DAY2, 8), text="New kit\nsecond line",
    )  # fmt: skip
    level = InventoryLevel.objects.create(
        connection=connection("squarespace"), variant_id="v1", sku="KIT-1", quantity=0
    )
    stock_change(level, at(DAY2, 15), 3, 0)  # a stock-out
    stock_change(level, at(DAY2, 16), 0, 0)  # already out
    stock_change(level, at(DAY1, 16), 5, 2)  # lower, not out
    stock_change(level, at(DAY1, 17), None, 0)  # first sighting: not a fall
    order = Order.objects.create(
        connection=connection("squarespace"), provider_order_id="o1", order_number="1042",
        created_on=at(DAY1), modified_on=at(DAY1), fulfillment_status="PENDING", currency="USD",
    )  # fmt: skip
    from reconciliation.models import Case

    Case.objects.create(order=order, bucket="missing_in_shippo", opened_at=at(DAY2, 18),
                        since=at(DAY1))  # fmt: skip


@pytest.fixture
def events():
    build_events()


def test_the_timeline_holds_each_qualifying_event_newest_first(events):
    found = [(event.kind, event.label) for event in events_in(PERIOD)]
    assert found == [
        (Kind.EXCEPTION, "missing in shippo: order #1042"),
        (Kind.STOCK_OUT, "KIT-1 sold out"),
        (Kind.ACTION, "action.budget_changed Brand search (by otto)"),
        (Kind.POST, "Instagram: New kit"),
        (Kind.ACTION, "execution.campaign_paused Spring sale (by otto)"),
    ]


def test_events_fall_on_their_brand_local_day(events):
    assert {event.day() for event in events_in(PERIOD)} == {DAY1, DAY2}


def test_a_quiet_period_has_no_events():
    assert events_in(PERIOD) == []
