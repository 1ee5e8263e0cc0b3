"""What changed: the events that can explain a swing in revenue or spend, on one timeline."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Q

from dashboards.ranges import DateRange
from dashboards.selectors.sales import brand_day_bounds
from dashboards.selectors.social import posts_in
from flux.audit.models import AuditEvent
from integrations.models import InventoryChange, SocialChannel

# Audit actions that record something the app itself did on a platform (an executed proposal).
EXECUTION_PREFIXES = ("execution.", "action.")
# Each kind lists at most this many events, newest first, so a noisy source cannot bury others.
MAX_PER_KIND = 200


class Kind:
    ACTION = "action"
    POST = "post"
    STOCK_OUT = "stock_out"
    EXCEPTION = "exception"


KIND_LABELS = {
    Kind.ACTION: "Action executed",
    Kind.POST: "Post published",
    Kind.STOCK_OUT: "Stock-out",
    Kind.EXCEPTION: "Reconciliation exception",
}


@dataclass(frozen=True)
class Event:
    """One thing that happened, with no personal data: a kind, a moment and a short label."""

    at: datetime
    kind: str
    label: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def day(self) -> date:
        return self.at.astimezone(ZoneInfo(settings.FLUX_BRAND_TIME_ZONE)).date()


def events_in(period: DateRange) -> list[Event]:
    """Every event of `period` from every source, newest first."""
    start, end = brand_day_bounds(period)
    found = [
        *executed_actions(start, end),
        *posts_published(period),
        *stock_outs(start, end),
        *exceptions_opened(start, end),
    ]
    return sorted(found, key=lambda event: event.at, reverse=True)


def executed_actions(start: datetime, end: datetime) -> Iterator[Event]:
    """Audit events recording an executed action (action name starts with a known prefix)."""
    executed = Q()
    for prefix in EXECUTION_PREFIXES:
        executed |= Q(action__startswith=prefix)
    rows = (
        AuditEvent.objects.filter(executed, occurred_at__gte=start, occurred_at__lt=end)
        .order_by("-occurred_at")
        .values_list("occurred_at", "action", "target_label", "actor_label")[:MAX_PER_KIND]
    )
    for at, action, target, actor in rows:
        yield Event(at, Kind.ACTION, f"{action} {target}".strip() + f" (by {actor})")


def posts_published(period: DateRange) -> Iterator[Event]:
    """Posts published on the Facebook Page or Instagram."""
    labels = dict(SocialChannel.choices)
    rows = (
        posts_in(period)
        .order_by("-published_at")
        .values_list("published_at", "channel", "text")[:MAX_PER_KIND]
    )
    for at, channel, text in rows:
        first = text.splitlines()[0][:60] if text else "(no text)"
        yield Event(at, Kind.POST, f"{labels.get(channel, channel)}: {first}")


def stock_outs(start: datetime, end: datetime) -> Iterator[Event]:
    """Tracked SKUs whose stock fell from above zero to zero or below."""
    rows = (
        InventoryChange.objects.filter(
            observed_at__gte=start, observed_at__lt=end, quantity_before__gt=0,
            quantity_after__lte=0, is_unlimited=False,
        )
        .order_by("-observed_at")
        .values_list("observed_at", F("level__sku"), F("level__descriptor"))[:MAX_PER_KIND]
    )  # fmt: skip
    for at, sku, descriptor in rows:
        yield Event(at, Kind.STOCK_OUT, f"{sku or descriptor} sold out")


def exceptions_opened(start: datetime, end: datetime) -> Iterator[Event]:
    """Reconciliation cases opened, when the reconciliation app has cases."""
    try:
        from reconciliation.models import Case
    except ImportError:  # reconciliation has no cases yet
        return
    rows = (
        Case.objects.filter(opened_at__gte=start, opened_at__lt=end)
        .order_by("-opened_at")
        .values_list("opened_at", "bucket", F("order__order_number"))[:MAX_PER_KIND]
    )
    for at, bucket, number in rows:
        about = f"order #{number}" if number else "a label with no order"
        yield Event(at, Kind.EXCEPTION, f"{bucket.replace('_', ' ')}: {about}")
