"""Squarespace JSON -> frozen, typed records; personal data stops here.

The order's email becomes flux.hashing.hash_email() and its shipping address is cut to city,
state, postal code and country inside the parser, so nothing downstream ever holds them.
Anything that breaks the documented shape raises MalformedPage, whose message names the
field, never its value (a value could be someone's address).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from flux.hashing import hash_email
from integrations.http import TransientError

PROVIDER = "squarespace"
ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
     "VUV", "XAF", "XOF", "XPF"}
)  # fmt: skip
THREE_DECIMAL = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
MAX_MINOR = 10**15  # far beyond any order, well inside a BigIntegerField
MAX_QUANTITY = 10**7
STATUSES = frozenset({"PENDING", "FULFILLED", "CANCELED"})
T = TypeVar("T")
R = TypeVar("R")


class MalformedPage(TransientError):
    """Squarespace sent a document that does not have the documented shape."""

    def __init__(self, message: str) -> None:
        super().__init__(message, provider=PROVIDER)


@dataclass(frozen=True)
class OrderLineRecord:
    line_id: str
    line_type: str
    product_id: str
    variant_id: str
    sku: str
    product_name: str
    quantity: int
    unit_price: int


@dataclass(frozen=True)
class Totals:
    """An order's money, in minor units of its currency."""

    subtotal: int
    shipping_total: int
    discount_total: int
    tax_total: int
    refunded_total: int
    grand_total: int


@dataclass(frozen=True)
class Place:
    """What is kept of a shipping address: never a name, street or phone."""

    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True)
class OrderRecord:
    order_id: str
    order_number: str
    created_on: datetime
    modified_on: datetime
    fulfilled_on: datetime | None
    fulfillment_status: str
    payment_state: str
    channel: str
    testmode: bool
    currency: str
    totals: "Totals"
    email_hash: str
    place: "Place"
    lines: tuple[OrderLineRecord, ...]

    @property
    def has_physical_items(self) -> bool:
        """Say whether anything in the order ships."""
        return any(line.line_type == "PHYSICAL_PRODUCT" for line in self.lines)


@dataclass(frozen=True)
class StockRecord:
    variant_id: str
    sku: str
    descriptor: str
    quantity: int
    is_unlimited: bool


@dataclass(frozen=True)
class Listing(Generic[R]):
    """One page of a listing and the cursor of the next (None: last page)."""

    records: tuple[R, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class Website:
    website_id: str
    title: str
    currency: str


# Field readers: each names the field in its error, never the value.


def obj(data: Any, key: str) -> Mapping[str, Any]:
    """Return the object at `key`."""
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, Mapping):
        raise MalformedPage(f"{key} is not an object")
    return value


def opt_obj(data: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    """Return the object at `key`, or None when it is null or absent."""
    return None if data.get(key) is None else obj(data, key)


def items(data: Mapping[str, Any], key: str) -> list[Any]:
    """Return the array at `key`; null or absent is empty, as the API documents."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedPage(f"{key} is not an array")
    return value


def text(data: Mapping[str, Any], key: str, *, limit: int, cut: bool = False) -> str:
    """Return a required string, refused (or, when `cut`, cut) beyond `limit`."""
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedPage(f"{key} is missing or not a string")
    return _fit(value, key, limit, cut)


def opt_text(data: Mapping[str, Any], key: str, *, limit: int, cut: bool = True) -> str:
    """Return an optional string, '' when null or absent."""
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedPage(f"{key} is not a string")
    return _fit(value, key, limit, cut)


def _fit(value: str, key: str, limit: int, cut: bool) -> str:
    if "\x00" in value:
        raise MalformedPage(f"{key} holds a NUL character")
    if len(value) > limit and not cut:
        raise MalformedPage(f"{key} is too long")
    return value[:limit]


def integer(data: Mapping[str, Any], key: str, *, low: int, high: int) -> int:
    """Return an integer (not a bool) within [low, high]."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise MalformedPage(f"{key} is not an integer in range")
    return value


def flag(data: Mapping[str, Any], key: str, *, default: bool | None = None) -> bool:
    """Return a boolean; absent or null takes `default` when one is given."""
    value = data.get(key)
    if value is None and default is not None:
        return default
    if not isinstance(value, bool):
        raise MalformedPage(f"{key} is not a boolean")
    return value


def instant(data: Mapping[str, Any], key: str) -> datetime:
    """Return an ISO-8601 UTC timestamp as an aware datetime."""
    value = data.get(key)
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise MalformedPage(f"{key} is not an ISO-8601 UTC timestamp")
    return moment


def opt_instant(data: Mapping[str, Any], key: str) -> datetime | None:
    """Return an optional timestamp."""
    return None if data.get(key) is None else instant(data, key)


def money(data: Mapping[str, Any], key: str, currency: str) -> int:
    """Return a money object in minor units of `currency`; its value may be a string or number."""
    amount = obj(data, key)
    if amount.get("currency") != currency:
        raise MalformedPage(f"{key} is not in the order's currency")
    return to_minor(amount.get("value"), currency, key)


def to_minor(value: Any, currency: str, key: str = "value") -> int:
    """Convert a decimal amount in major units to integer minor units, exactly."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MalformedPage(f"{key} is not a decimal amount")
    try:
        scaled = Decimal(str(value)).scaleb(exponent(currency))
    except InvalidOperation as exc:
        raise MalformedPage(f"{key} is not a decimal amount") from exc
    if not scaled.is_finite() or scaled != scaled.to_integral_value() or abs(scaled) > MAX_MINOR:
        raise MalformedPage(f"{key} is not a whole number of minor units")
    return int(scaled)


def exponent(currency: str) -> int:
    """Return how many minor units' digits `currency` has."""
    if currency in ZERO_DECIMAL:
        return 0
    return 3 if currency in THREE_DECIMAL else 2


def each(values: list[Any], parse: Callable[[Mapping[str, Any]], T], what: str) -> tuple[T, ...]:
    """Parse every element of an array of objects."""
    if not all(isinstance(value, Mapping) for value in values):
        raise MalformedPage(f"{what} holds a non-object")
    return tuple(parse(value) for value in values)


# Documents


def order_parse(data: Any) -> OrderRecord:
    """Parse one Order; hash the email and cut the address on the way."""
    if not isinstance(data, Mapping):
        raise MalformedPage("order is not an object")
    grand = obj(data, "grandTotal")
    currency = text(grand, "currency", limit=3)
    if not (len(currency) == 3 and currency.isascii() and currency.isupper()):
        raise MalformedPage("grandTotal.currency is not an ISO currency code")
    return OrderRecord(
        order_id=text(data, "id", limit=64),
        order_number=text(data, "orderNumber", limit=32),
        created_on=instant(data, "createdOn"),
        modified_on=instant(data, "modifiedOn"),
        fulfilled_on=opt_instant(data, "fulfilledOn"),
        fulfillment_status=_status(data),
        payment_state=opt_text(data, "paymentState", limit=20, cut=False),
        channel=opt_text(data, "channel", limit=20, cut=False),
        testmode=flag(data, "testmode", default=False),
        currency=currency,
        totals=_totals(data, currency),
        email_hash=_email_hash(data),
        place=_place(opt_obj(data, "shippingAddress")),
        lines=each(items(data, "lineItems"), lambda line: _line(line, currency), "lineItems"),
    )


def _status(data: Mapping[str, Any]) -> str:
    status = data.get("fulfillmentStatus")
    if status not in STATUSES:
        raise MalformedPage("fulfillmentStatus is not a known status")
    return str(status)


def _totals(data: Mapping[str, Any], currency: str) -> Totals:
    fields = {
        "subtotal": "subtotal",
        "shipping_total": "shippingTotal",
        "discount_total": "discountTotal",
        "tax_total": "taxTotal",
        "refunded_total": "refundedTotal",
        "grand_total": "grandTotal",
    }
    # Documented fields may be null; a null total other than the grand total means none.
    return Totals(
        **{
            ours: 0 if data.get(theirs) is None else money(data, theirs, currency)
            for ours, theirs in fields.items()
        }
    )


def _email_hash(data: Mapping[str, Any]) -> str:
    email = data.get("customerEmail")
    if email is None or email == "":
        return ""
    if not isinstance(email, str) or len(email) > 320:
        raise MalformedPage("customerEmail is not a string")
    return hash_email(email)


def _place(address: Mapping[str, Any] | None) -> Place:
    """Keep only city, state, postal code and country of an address."""
    if address is None:
        return Place()
    country = opt_text(address, "countryCode", limit=2, cut=False).upper()
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise MalformedPage("shippingAddress.countryCode is not a country code")
    return Place(
        city=opt_text(address, "city", limit=100),
        state=opt_text(address, "state", limit=100),
        postal_code=opt_text(address, "postalCode", limit=20),
        country=country,
    )


def _line(data: Mapping[str, Any], currency: str) -> OrderLineRecord:
    return OrderLineRecord(
        line_id=text(data, "id", limit=64),
        line_type=text(data, "lineItemType", limit=30),
        product_id=opt_text(data, "productId", limit=64, cut=False),
        variant_id=opt_text(data, "variantId", limit=64, cut=False),
        sku=opt_text(data, "sku", limit=64, cut=False),
        product_name=opt_text(data, "productName", limit=200),
        quantity=integer(data, "quantity", low=0, high=MAX_QUANTITY),
        unit_price=money(data, "unitPricePaid", currency),
    )


def stock_parse(data: Mapping[str, Any]) -> StockRecord:
    """Parse one inventory item."""
    return StockRecord(
        variant_id=text(data, "variantId", limit=64),
        sku=opt_text(data, "sku", limit=64, cut=False),
        descriptor=opt_text(data, "descriptor", limit=200),
        quantity=integer(data, "quantity", low=-MAX_QUANTITY, high=MAX_QUANTITY),
        is_unlimited=flag(data, "isUnlimited", default=False),
    )


def orders_page_parse(data: Any) -> Listing[OrderRecord]:
    """Parse a page of the orders listing."""
    records = each(items(_document(data), "result"), order_parse, "result")
    return Listing(records, _next_cursor(data))


def inventory_page_parse(data: Any) -> Listing[StockRecord]:
    """Parse a page of the inventory listing."""
    records = each(items(_document(data), "inventory"), stock_parse, "inventory")
    return Listing(records, _next_cursor(data))


def _document(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise MalformedPage("the page is not an object")
    return data


def _next_cursor(data: Mapping[str, Any]) -> str | None:
    pagination = obj(data, "pagination")
    if not flag(pagination, "hasNextPage"):
        return None
    return text(pagination, "nextPageCursor", limit=2000)


def website_parse(data: Any) -> Website:
    """Parse the site info of the website a credential belongs to."""
    document = _document(data)
    return Website(
        website_id=text(document, "id", limit=100),
        title=opt_text(document, "websiteTitle", limit=200) or "Squarespace site",
        currency=opt_text(document, "currency", limit=3, cut=False),
    )
