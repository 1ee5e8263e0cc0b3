"""The reconciliation rules as pure functions: business days, ZIPs, flags and buckets."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings

from reconciliation.models import FLAGS, MATCHED

DAY = timedelta(days=1)
STALE_STATUSES = frozenset({"PRE_TRANSIT", "UNKNOWN"})


@dataclass(frozen=True)
class Thresholds:
    """The configurable limits the time-based flags use."""

    sla_business_days: int
    label_not_fulfilled_days: int
    stale_tracking_days: int
    probable_window_days: int

    @classmethod
    def from_settings(cls) -> "Thresholds":
        """Read the thresholds from settings."""
        return cls(
            settings.FLUX_RECON_SLA_BUSINESS_DAYS,
            settings.FLUX_RECON_LABEL_NOT_FULFILLED_DAYS,
            settings.FLUX_RECON_STALE_TRACKING_DAYS,
            settings.FLUX_RECON_PROBABLE_WINDOW_DAYS,
        )


def business_cutoff(now: datetime, days: int) -> datetime:
    """Return the moment `days` business days (Monday to Friday, UTC) before `now`."""
    moment, counted = now, 0
    while counted < days:
        moment -= DAY
        counted += moment.weekday() < 5
    return moment


def business_days_between(start: datetime, now: datetime) -> int:
    """Count the business days stepped back from `now` that stay after `start`."""
    whole = int((now - start) / DAY)
    if whole <= 0:
        return 0
    weeks, rest = divmod(whole, 7)
    weekday = now.weekday()
    extra = sum((weekday - step) % 7 < 5 for step in range(1, rest + 1))
    return weeks * 5 + extra


def zip_key(postal_code: str, country: str) -> str:
    """Return the comparable part of a postal code: 5 digits in the US, all of it elsewhere."""
    cleaned = "".join(postal_code.split()).upper()
    return cleaned[:5] if country.upper() == "US" else cleaned


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What the rules read of one order."""

    created_on: datetime
    fulfillment: str
    excluded: bool
    zip: str
    country: str


class LabelLike(Protocol):
    """What the rules read of one label linked to the order."""

    @property
    def valid(self) -> bool: ...
    @property
    def created(self) -> datetime: ...
    @property
    def tracking_status(self) -> str: ...
    @property
    def zip(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def probable(self) -> bool: ...


@dataclass(frozen=True)
class Clock:
    """The moments a run judges against, worked out once per run."""

    now: datetime
    sla_cutoff: datetime  # orders placed before this are past the SLA
    settled_before: datetime  # labels bought before this should have fulfilled the order
    stale_before: datetime  # labels bought before this should be moving

    @classmethod
    def at(cls, now: datetime, limits: Thresholds) -> "Clock":
        """Work out the run's moments from `now` and the thresholds."""
        return cls(
            now,
            business_cutoff(now, limits.sla_business_days),
            now - limits.label_not_fulfilled_days * DAY,
            now - limits.stale_tracking_days * DAY,
        )


@dataclass(frozen=True, slots=True)
class LabelFacts:
    """A label as the rules read it (for callers without a loaded row)."""

    valid: bool
    created: datetime
    tracking_status: str
    zip: str
    country: str
    probable: bool = False


def is_excluded(
    *,
    fulfillment: str,
    payment_state: str,
    refunded: int,
    grand: int,
    testmode: bool,
    physical: bool,
) -> bool:
    """Say whether an order is cancelled, fully refunded, in test mode or ships nothing."""
    refunded_fully = payment_state == "REFUNDED" or (refunded > 0 and refunded >= grand)
    return fulfillment == "CANCELED" or refunded_fully or testmode or not physical


def order_flags(
    order: OrderFacts, labels: Sequence[LabelLike], *, in_shippo: bool, clock: Clock
) -> list[str]:
    """Return the order's flags in bucket order."""
    if order.excluded:
        return ["excluded"]
    valid = [label for label in labels if label.valid]
    if not valid:
        found = set(_unlabelled(order, labels, in_shippo=in_shippo, clock=clock))
    else:
        found = _labelled(order, valid, clock=clock)
    return [flag for flag in FLAGS if flag in found] if found else []


def _unlabelled(
    order: OrderFacts, labels: Sequence[LabelLike], *, in_shippo: bool, clock: Clock
) -> Iterable[str]:
    """Yield the flags of an order without a valid label."""
    if order.created_on >= clock.sla_cutoff:
        yield "awaiting_label"
    elif in_shippo:
        yield "in_shippo_no_label"
    elif not labels:
        yield "missing_in_shippo"
    if labels:
        yield "voided_only"
    if order.fulfillment == "FULFILLED":
        yield "fulfilled_no_label"


def _labelled(order: OrderFacts, valid: Sequence[LabelLike], *, clock: Clock) -> set[str]:
    """Return the flags an order's valid labels raise."""
    found: set[str] = set()
    settled, stale = clock.settled_before, clock.stale_before
    if order.fulfillment == "PENDING" and any(label.created < settled for label in valid):
        found.add("label_not_fulfilled")
    if len(valid) > 1:
        found.add("multiple_labels")
    if any(_zip_differs(order, label) for label in valid):
        found.add("zip_mismatch")
    if any(lb.tracking_status in STALE_STATUSES and lb.created < stale for lb in valid):
        found.add("stale_tracking")
    if any(label.tracking_status == "RETURNED" for label in valid):
        found.add("returned")
    if any(label.probable for label in valid):
        found.add("probable_match")
    return found


def _zip_differs(order: OrderFacts, label: LabelLike) -> bool:
    """Say whether a label goes to another ZIP; a label with no ZIP on record proves nothing."""
    if not label.zip or label.zip == order.zip:
        return False
    country = order.country or label.country
    return zip_key(label.zip, country) != zip_key(order.zip, country)


def bucket_of(flags: Sequence[str]) -> str:
    """Return the primary bucket: the first flag, or `matched` when there is none."""
    return flags[0] if flags else MATCHED


def recheck_at(
    order: OrderFacts, labels: Sequence[LabelLike], *, now: datetime, limits: Thresholds
) -> datetime | None:
    """Return the next moment the passing of time alone could change the order's flags."""
    if order.excluded:
        return None
    valid = [label for label in labels if label.valid]
    moving = not any(label.tracking_status in STALE_STATUSES for label in valid)
    if valid and order.fulfillment != "PENDING" and moving:
        return None  # the common case: shipped, fulfilled, moving
    moments = []
    if not valid:
        moments.append(_sla_ends(order.created_on, limits.sla_business_days))
    if order.fulfillment == "PENDING":
        moments += [lb.created + limits.label_not_fulfilled_days * DAY for lb in valid]
    moments += [
        lb.created + limits.stale_tracking_days * DAY
        for lb in valid
        if lb.tracking_status in STALE_STATUSES
    ]
    future = [moment for moment in moments if moment > now]
    return min(future) if future else None


def _sla_ends(created_on: datetime, days: int) -> datetime:
    """Return the first moment an order placed at `created_on` is past the SLA.

    The cutoff moves continuously within a UTC day and jumps at midnight, so the crossing is
    either a whole number of days after the order or a midnight.
    """
    candidates = []
    for step in range(days, days + 9):
        moment = created_on + step * DAY
        midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        candidates += [moment + timedelta(microseconds=1), midnight, midnight + DAY]
    return min(t for t in candidates if created_on < business_cutoff(t, days))
