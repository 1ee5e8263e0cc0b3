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


@dataclass(frozen=True, slots=True)
class Signs:
    """Everything the flags of one order follow from (in SIGNS order)."""

    excluded: bool
    labelled: bool  # it has a valid label
    awaiting: bool  # still inside the SLA
    in_shippo: bool
    any_label: bool  # it has a label, valid or not
    fulfilled: bool  # Squarespace says FULFILLED
    pending: bool  # Squarespace says PENDING
    settled: bool  # a valid label old enough that the order should be fulfilled
    multiple: bool  # more than one valid label
    zip: bool  # a valid label goes to another ZIP
    stale: bool  # a valid label old enough to move has not
    returned: bool
    probable: bool  # a valid label linked only by the probable rule


SIGNS = tuple(Signs.__slots__)


def order_flags(
    order: OrderFacts, labels: Sequence[LabelLike], *, in_shippo: bool, clock: Clock
) -> list[str]:
    """Return the order's flags in bucket order."""
    return flags_from(order_signs(order, labels, in_shippo=in_shippo, clock=clock))


def order_signs(
    order: OrderFacts, labels: Sequence[LabelLike], *, in_shippo: bool, clock: Clock
) -> Signs:
    """Read the signs of one order off its facts and its labels."""
    valid = [label for label in labels if label.valid]
    return Signs(
        excluded=order.excluded,
        labelled=bool(valid),
        awaiting=order.created_on >= clock.sla_cutoff,
        in_shippo=in_shippo,
        any_label=bool(labels),
        fulfilled=order.fulfillment == "FULFILLED",
        pending=order.fulfillment == "PENDING",
        settled=any(label.created < clock.settled_before for label in valid),
        multiple=len(valid) > 1,
        zip=any(_zip_differs(order, label) for label in valid),
        stale=any(
            lb.tracking_status in STALE_STATUSES and lb.created < clock.stale_before for lb in valid
        ),
        returned=any(label.tracking_status == "RETURNED" for label in valid),
        probable=any(label.probable for label in valid),
    )


def flags_from(signs: Signs) -> list[str]:
    """Return the flags these signs raise, in bucket order."""
    if signs.excluded:
        return ["excluded"]
    found = set(_labelled(signs) if signs.labelled else _unlabelled(signs))
    return [flag for flag in FLAGS if flag in found]


def _unlabelled(signs: Signs) -> Iterable[str]:
    """Yield the flags of an order without a valid label."""
    if signs.awaiting:
        yield "awaiting_label"
    elif signs.in_shippo:
        yield "in_shippo_no_label"
    elif not signs.any_label:
        yield "missing_in_shippo"
    if signs.any_label:
        yield "voided_only"
    if signs.fulfilled:
        yield "fulfilled_no_label"


def _labelled(signs: Signs) -> Iterable[str]:
    """Yield the flags an order's valid labels raise."""
    if signs.pending and signs.settled:
        yield "label_not_fulfilled"
    for sign, flag in (
        (signs.multiple, "multiple_labels"),
        (signs.zip, "zip_mismatch"),
        (signs.stale, "stale_tracking"),
        (signs.returned, "returned"),
        (signs.probable, "probable_match"),
    ):
        if sign:
            yield flag


def _zip_differs(order: OrderFacts, label: LabelLike) -> bool:
    return zip_differs(order.zip, order.country, label.zip, label.country)


def zip_differs(order_zip: str, order_country: str, label_zip: str, label_country: str) -> bool:
    """Say whether a label goes to another ZIP; a label with no ZIP on record proves nothing."""
    if not label_zip or label_zip == order_zip:
        return False
    country = order_country or label_country
    return zip_key(label_zip, country) != zip_key(order_zip, country)


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
        moments.append(sla_ends(order.created_on, limits.sla_business_days))
    if order.fulfillment == "PENDING":
        moments += [lb.created + limits.label_not_fulfilled_days * DAY for lb in valid]
    moments += [
        lb.created + limits.stale_tracking_days * DAY
        for lb in valid
        if lb.tracking_status in STALE_STATUSES
    ]
    future = [moment for moment in moments if moment > now]
    return min(future) if future else None


def sla_ends(created_on: datetime, days: int) -> datetime:
    """Return the first moment an order placed at `created_on` is past the SLA.

    Within one UTC day the cutoff trails the clock by a fixed number of days (the business
    days plus the weekend days they span), so on each day from the order's own the first
    moment past the SLA is either that midnight or the order's time plus that day's lag.
    """
    day = created_on.replace(hour=0, minute=0, second=0, microsecond=0)
    while True:
        first = max(day, created_on + _lag(day.weekday(), days) * DAY + _TICK)
        if first < day + DAY:
            return first
        day += DAY


_TICK = timedelta(microseconds=1)


def _lag(weekday: int, days: int) -> int:
    """Return how many days back `days` business days reach from a day of this weekday."""
    lag = counted = 0
    while counted < days:
        lag += 1
        counted += (weekday - lag) % 7 < 5
    return lag
