"""Shippo JSON -> frozen typed records, strictly, at the boundary.

Nothing downstream touches a raw dict. Personal data is cut here: a recipient keeps its name,
ZIP and country (the policy allows them); the street lines, city, phone and email are never
copied out of the JSON. A value that does not fit raises MalformedPage, whose message names
the field and never the value (values can be personal data).

Leniencies, each for behaviour seen on the live API: a transaction's `tracking_status` may be
an enum string or a whole status object; a status object may lack `status_date` (then its
`object_updated` dates it); list fields may be null.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

from integrations.http import TransientError

PROVIDER = "shippo"
TRACKING_STATUSES = frozenset(
    {"PRE_TRANSIT", "TRANSIT", "DELIVERED", "RETURNED", "FAILURE", "UNKNOWN"}
)
OBJECT_STATES = frozenset({"VALID", "INVALID"})
TRANSACTION_STATUSES = frozenset(
    {"WAITING", "QUEUED", "SUCCESS", "ERROR", "REFUNDED", "REFUNDPENDING", "REFUNDREJECTED"}
)
ORDER_STATUSES = frozenset(
    {"UNKNOWN", "AWAITPAY", "PAID", "REFUNDED", "CANCELLED", "PARTIALLY_FULFILLED", "SHIPPED"}
)
SHIPMENT_STATUSES = frozenset({"WAITING", "QUEUED", "SUCCESS", "ERROR"})
# ISO 4217 exponents that are not 2; every other currency has cents.
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3}
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TOKEN = re.compile(r"[a-z0-9_]{1,40}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_MONEY = re.compile(r"-?\d{1,12}(\.\d{1,6})?")

JSON = dict[str, Any]
T = TypeVar("T")


class MalformedPage(TransientError):
    """Shippo sent something that does not parse; retrying later may get a whole page."""

    def __init__(self, message: str) -> None:
        super().__init__(message, provider=PROVIDER)


@dataclass(frozen=True)
class RateRecord:
    object_id: str
    shipment_object_id: str
    carrier: str
    service_level: str
    amount: int  # minor units
    currency: str


@dataclass(frozen=True)
class Recipient:
    name: str
    zip: str
    country: str


@dataclass(frozen=True)
class ShipmentRecord:
    object_id: str
    status: str
    object_created: datetime
    object_updated: datetime
    recipient: Recipient
    parcel_count: int
    metadata: str
    rates: tuple[RateRecord, ...]


@dataclass(frozen=True)
class LabelRecord:
    object_id: str
    object_state: str
    status: str
    object_created: datetime
    object_updated: datetime
    test: bool
    tracking_number: str
    tracking_status: str
    tracking_status_at: datetime | None
    eta: datetime | None
    metadata: str
    rate_object_id: str
    rate: RateRecord | None  # None when the listing gives the rate as an id only
    shippo_order_object_id: str


@dataclass(frozen=True)
class ShippoOrderRecord:
    object_id: str
    order_number: str
    order_status: str
    placed_at: datetime | None
    recipient_zip: str
    recipient_country: str
    object_created: datetime | None


@dataclass(frozen=True)
class TrackingUpdate:
    """A parcel's latest tracking status, as a Track (webhook `data`) reports it."""

    carrier: str
    tracking_number: str
    status: str
    status_date: datetime


@dataclass(frozen=True)
class ListPage:
    """One page of a Shippo listing: its raw results and the absolute link to the next."""

    results: tuple[JSON, ...]
    next_url: str | None


# Listings


def list_page_parse(data: Any, *, origin: str) -> ListPage:
    """Check the paging envelope; a `next` link must stay on our API's origin."""
    envelope = _object(data, "page")
    results = envelope.get("results")
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise MalformedPage("page: results is not a list of objects")
    next_url = _optional_str(envelope, "next", "page", limit=2000)
    if next_url is not None and not next_url.startswith(origin.rstrip("/") + "/"):
        # Following a link elsewhere would send our token to another host.
        raise MalformedPage("page: next leaves the API's origin")
    return ListPage(tuple(results), next_url)


def records_parse(results: Sequence[JSON], parse: Callable[[JSON], T], kind: str) -> list[T]:
    """Parse every result of a page, naming the position of the first that fails."""
    parsed = []
    for position, raw in enumerate(results):
        try:
            parsed.append(parse(raw))
        except MalformedPage as error:
            raise MalformedPage(f"{kind} {position}: {error.args[0]}") from None
    return parsed


# Objects


def shipment_parse(raw: JSON) -> ShipmentRecord:
    """Parse a Shipment, keeping only the recipient's name, ZIP and country."""
    object_id = _id(raw, "object_id")
    return ShipmentRecord(
        object_id=object_id,
        status=_choice(raw, "status", SHIPMENT_STATUSES),
        object_created=_moment(raw, "object_created"),
        object_updated=_moment(raw, "object_updated"),
        recipient=recipient_parse(raw.get("address_to")),
        parcel_count=len(_list(raw, "parcels")),
        metadata=_str(raw, "metadata", limit=200),
        rates=tuple(rate_parse(r, shipment=object_id) for r in _list(raw, "rates")),
    )


def recipient_parse(raw: Any) -> Recipient:
    """Keep the name, ZIP and country of an address; drop everything else unread."""
    if raw is None:
        return Recipient("", "", "")
    address = _object(raw, "address_to")
    return Recipient(
        name=_str(address, "name", limit=200),
        zip=_str(address, "zip", limit=20),
        country=_country(address, "country"),
    )


def rate_parse(raw: Any, *, shipment: str | None = None) -> RateRecord:
    """Parse a Rate; its cost becomes minor units of its currency."""
    rate = _object(raw, "rate")
    currency = _currency(rate, "currency")
    owner = shipment if shipment is not None else _id(rate, "shipment")
    return RateRecord(
        object_id=_id(rate, "object_id"),
        shipment_object_id=owner,
        carrier=carrier_token(_str(rate, "provider", limit=40)),
        service_level=_str(rate, "servicelevel_name", limit=100),
        amount=to_minor(_str(rate, "amount", limit=30), currency),
        currency=currency,
    )


def label_parse(raw: JSON) -> LabelRecord:
    """Parse a Transaction (a label) with its rate, expanded or given as an id."""
    rate = raw.get("rate")
    expanded = None if isinstance(rate, str) else rate_parse(rate)
    status, status_at = _tracking_of(raw)
    return LabelRecord(
        object_id=_id(raw, "object_id"),
        object_state=_choice(raw, "object_state", OBJECT_STATES),
        status=_choice(raw, "status", TRANSACTION_STATUSES),
        object_created=_moment(raw, "object_created"),
        object_updated=_moment(raw, "object_updated"),
        test=_bool(raw, "test"),
        tracking_number=_str(raw, "tracking_number", limit=100),
        tracking_status=status,
        tracking_status_at=status_at,
        eta=_optional_moment(raw, "eta"),
        metadata=_str(raw, "metadata", limit=200),
        rate_object_id=expanded.object_id if expanded else _id(raw, "rate"),
        rate=expanded,
        shippo_order_object_id=_optional_id(raw, "order"),
    )


def _tracking_of(raw: JSON) -> tuple[str, datetime | None]:
    """Read a transaction's tracking status, an enum string or a status object."""
    value = raw.get("tracking_status")
    if value is None or value == "":
        return "", None
    if isinstance(value, dict):
        update = _status_parse(value)
        return update
    status = _choice(raw, "tracking_status", TRACKING_STATUSES)
    # A bare enum has no date; Shippo touches the transaction when tracking moves.
    return status, _moment(raw, "object_updated")


def _status_parse(raw: JSON) -> tuple[str, datetime]:
    """Parse a TrackingStatus object into (status, when the carrier reported it)."""
    status = _choice(raw, "status", TRACKING_STATUSES)
    dated = raw.get("status_date") is not None
    return status, _moment(raw, "status_date" if dated else "object_updated")


def shippo_order_parse(raw: JSON) -> ShippoOrderRecord:
    """Parse a Shippo Order; of its address only the ZIP and country are kept."""
    to = raw.get("to_address")
    address = _object(to, "to_address") if to is not None else {}
    return ShippoOrderRecord(
        object_id=_id(raw, "object_id"),
        order_number=_str(raw, "order_number", limit=100),
        order_status=_choice(raw, "order_status", ORDER_STATUSES),
        placed_at=_optional_moment(raw, "placed_at"),
        recipient_zip=_str(address, "zip", limit=20),
        recipient_country=_country(address, "country"),
        object_created=_optional_moment(raw, "object_created"),
    )


def tracking_update_parse(raw: Any) -> TrackingUpdate:
    """Parse a Track (a webhook's `data`) into the one status it reports now."""
    track = _object(raw, "track")
    status = track.get("tracking_status")
    if not isinstance(status, dict):
        raise MalformedPage("track: tracking_status is not an object")
    name, at = _status_parse(status)
    return TrackingUpdate(
        carrier=_token(track, "carrier"),
        tracking_number=_required_str(track, "tracking_number", limit=100),
        status=name,
        status_date=at,
    )


# Values


def carrier_token(provider: str) -> str:
    """Return the carrier token tracks use for a rate's provider name ("FedEx" -> "fedex")."""
    return provider.strip().lower().replace(" ", "_")


def to_minor(amount: str, currency: str) -> int:
    """Convert a decimal string in major units to integer minor units of `currency`."""
    if not _MONEY.fullmatch(amount):
        raise MalformedPage("amount is not a decimal number")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise MalformedPage("amount is not a decimal number") from None
    exponent = _EXPONENTS.get(currency, 2)
    minor = (value * 10**exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(minor)


def _object(value: Any, name: str) -> JSON:
    if not isinstance(value, dict):
        raise MalformedPage(f"{name} is not an object")
    return value


def _list(raw: JSON, name: str) -> list[Any]:
    value = raw.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedPage(f"{name} is not a list")
    return value


def _str(raw: JSON, name: str, *, limit: int) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        raise MalformedPage(f"{name} is not a string of at most {limit} characters")
    return value


def _required_str(raw: JSON, name: str, *, limit: int) -> str:
    value = _str(raw, name, limit=limit)
    if not value.strip():
        raise MalformedPage(f"{name} is missing")
    return value


def _optional_str(raw: JSON, name: str, kind: str, *, limit: int) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise MalformedPage(f"{kind}: {name} is not a link")
    return value


def _id(raw: JSON, name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise MalformedPage(f"{name} is not an object id")
    return value


def _optional_id(raw: JSON, name: str) -> str:
    return "" if raw.get(name) in (None, "") else _id(raw, name)


def _token(raw: JSON, name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not _TOKEN.fullmatch(value):
        raise MalformedPage(f"{name} is not a carrier token")
    return value


def _choice(raw: JSON, name: str, allowed: frozenset[str]) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or value not in allowed:
        raise MalformedPage(f"{name} is not a known value")
    return value


def _bool(raw: JSON, name: str) -> bool:
    value = raw.get(name, False)
    if not isinstance(value, bool):
        raise MalformedPage(f"{name} is not true or false")
    return value


def _currency(raw: JSON, name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise MalformedPage(f"{name} is not a currency code")
    return value


def _country(raw: JSON, name: str) -> str:
    value = _str(raw, name, limit=2)
    if value and not (value.isascii() and value.isalpha() and len(value) == 2):
        raise MalformedPage(f"{name} is not a country code")
    return value.upper()


def _moment(raw: JSON, name: str) -> datetime:
    value = raw.get(name)
    if not isinstance(value, str) or len(value) > 40:
        raise MalformedPage(f"{name} is not a timestamp")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedPage(f"{name} is not a timestamp") from None
    if moment.tzinfo is None:
        raise MalformedPage(f"{name} has no time zone")
    return moment


def _optional_moment(raw: JSON, name: str) -> datetime | None:
    return None if raw.get(name) in (None, "") else _moment(raw, name)
