"""Squarespace orders as compact plans: order i is drawn from its own stream, alone.

A plan holds the facts (lines, money in minor units, lifecycle times, the Shippo side); the
JSON shapes are rendered from it on demand by `squarespace` and `shippo`.
"""

import random
from dataclasses import dataclass
from typing import NamedTuple

from sandbox.brand.calendar import Calendar
from sandbox.brand.catalog import Catalog, Variant
from sandbox.brand.customers import customer_home
from sandbox.brand.seeds import DAY_MS, HOUR_MS, MINUTE_MS, Weighted, from_ms, hex_id, stream, unit
from sandbox.brand.shipping import Parcel, ShippoPlan, shipping_plan

FIRST_NUMBER = 1001
REPEAT_SHARE = 0.30  # chance an order comes from an earlier order's customer
POS_SHARE = 0.02
TEST_SHARE = 0.01
DIGITAL_ONLY_SHARE = 0.04
CANCEL_SHARE = 0.025
FULL_REFUND_SHARE = 0.015
PARTIAL_REFUND_SHARE = 0.03
_LINE_COUNTS = Weighted(((1, 62), (2, 25), (3, 9), (4, 4)))
_QUANTITIES = Weighted(((1, 85), (2, 12), (3, 3)))
_PROMOS = (("WELCOME10", 10), ("MAKER15", 15), ("GEARUP10", 10))
_HOLIDAY_PROMO = ("HOLIDAY15", 15)
_TAX_PERMILLE = {"TX": 83, "WA": 101, "CA": 85, "NY": 89, "IL": 103, "MA": 63, "OR": 0}
_DEFAULT_TAX_PERMILLE = 70


@dataclass(frozen=True, slots=True)
class Line:
    """One order line."""

    variant: int  # index into Catalog.variants
    quantity: int
    unit_price: int
    digital: bool


@dataclass(frozen=True, slots=True)
class Money:
    """An order's totals in minor units."""

    subtotal: int
    discount: int
    shipping: int
    tax: int
    promo: str | None
    shipping_method: str | None

    @property
    def grand(self) -> int:
        """Return what the customer paid."""
        return self.subtotal - self.discount + self.shipping + self.tax


@dataclass(frozen=True, slots=True)
class OrderPlan:
    """Every fact about one order as it stands at the anchor (or after an edit)."""

    index: int
    created_ms: int
    customer: int  # index into the customer pool
    returning: bool  # the customer placed an earlier order
    postal_code: str  # the shipping ZIP in Squarespace
    channel: str
    testmode: bool
    lines: tuple[Line, ...]
    money: Money
    currency: str
    fulfillment: str  # PENDING | FULFILLED | CANCELED
    fulfilled_ms: int | None
    canceled_ms: int | None
    refunded: int
    refunded_ms: int | None
    shippo: ShippoPlan | None  # None: the order never needs a parcel, or was cancelled first
    modified_ms: int
    physical: bool  # any line ships

    @property
    def number(self) -> str:
        """Return the Squarespace order number (a string, as the API gives it)."""
        return str(FIRST_NUMBER + self.index)

    @property
    def payment_state(self) -> str:
        """Return the Squarespace payment state."""
        return "REFUNDED" if self.refunded and self.refunded >= self.money.grand else "PAID"

    @property
    def excluded(self) -> bool:
        """Return whether reconciliation should ignore the order."""
        full_refund = self.refunded >= self.money.grand and self.refunded > 0
        return self.fulfillment == "CANCELED" or full_refund or self.testmode or not self.physical


@dataclass(frozen=True)
class Context:
    """What every order plan is drawn against."""

    seed: int
    catalog: Catalog
    calendar: Calendar

    @property
    def anchor_ms(self) -> int:
        """Return the moment the brand is generated as of."""
        return self.calendar.anchor_ms


def order_id(seed: int, index: int, created_ms: int) -> str:
    """Return a Squarespace-style 24-hex id: creation second, a site part, then the index."""
    return f"{created_ms // 1000:08x}{hex_id(seed, 10, 'site')}{index:06x}"


def is_pos(seed: int, index: int) -> bool:
    """Return whether order `index` was rung up at a market stall (no email captured)."""
    return unit(seed, "pos", index) < POS_SHARE


def customer_of(seed: int, index: int) -> tuple[int, bool]:
    """Return (customer index, returning) for order `index`, following earlier orders back."""
    if is_pos(seed, index):
        return index, False
    current, returning = index, False
    while current and unit(seed, "repeat", current) < REPEAT_SHARE:
        earlier = int(unit(seed, "earlier", current) * current)
        if is_pos(seed, earlier):  # a POS sale left no email to recognise the customer by
            break
        current, returning = earlier, True
    return current, returning


def shippo_of(plan: OrderPlan) -> ShippoPlan:
    """Return the Shippo side of an order the caller knows went through shipping."""
    if plan.shippo is None:
        raise ValueError(f"order {plan.number} never went through shipping")
    return plan.shippo


class _Lifecycle(NamedTuple):
    """What happened to an order after it was placed."""

    fulfillment: str
    fulfilled_ms: int | None
    canceled_ms: int | None
    refunded: int
    refunded_ms: int | None
    shippo: ShippoPlan | None


def order_plan(ctx: Context, index: int) -> OrderPlan:
    """Draw order `index` as it stands at the anchor."""
    rng = stream(ctx.seed, "order", index)
    created_ms = ctx.calendar.created_ms(index)
    customer, returning = customer_of(ctx.seed, index)
    home = customer_home(seed=ctx.seed, index=customer)
    testmode = rng.random() < TEST_SHARE
    lines = _lines(ctx, rng)
    money = _money(rng, lines, home.city.country, home.city.state, created_ms)
    parcel = Parcel(
        FIRST_NUMBER + index, created_ms, ctx.anchor_ms, sum(ln.quantity for ln in lines),
        _weight(ctx.catalog, lines), home.postal_code, home.domestic,
    )  # fmt: skip
    physical = any(not ln.digital for ln in lines)
    life = _lifecycle(rng, parcel, money.grand, testmode=testmode, physical=physical)
    events = (created_ms, life.fulfilled_ms, life.canceled_ms, life.refunded_ms)
    return OrderPlan(
        index, created_ms, customer, returning, home.postal_code,
        "pos" if is_pos(ctx.seed, index) else "web", testmode, lines, money, "USD", *life,
        max(ms for ms in events if ms is not None), physical,
    )  # fmt: skip


def _lines(ctx: Context, rng: random.Random) -> tuple[Line, ...]:
    """Draw the order lines: a physical product first, unless the order is digital only."""
    digital_only = rng.random() < DIGITAL_ONLY_SHARE
    count = _LINE_COUNTS.pick(rng.random())
    count = min(count, 2) if digital_only else count
    picks: list[Variant] = []
    for n in range(count):
        digital = digital_only or (n > 0 and rng.random() < 0.08)
        variant = _pick_variant(ctx.catalog, rng, digital=digital)
        if variant not in picks:
            picks.append(variant)
    return tuple(_line(rng, v, ctx.catalog) for v in picks)


def _pick_variant(catalog: Catalog, rng: random.Random, *, digital: bool) -> Variant:
    """Pick a variant, products weighted by popularity."""
    product = catalog.sales_weights[digital].pick(rng.random())
    return rng.choice(product.variants)


def _line(rng: random.Random, variant: Variant, catalog: Catalog) -> Line:
    """Return one line for `variant`; digital goods sell one at a time."""
    digital = catalog.product_of(variant).is_digital
    quantity = 1 if digital else _QUANTITIES.pick(rng.random())
    return Line(variant.index, quantity, variant.price, digital)


def _weight(catalog: Catalog, lines: tuple[Line, ...]) -> float:
    """Return the shipping weight in ounces."""
    return sum(catalog.variants[ln.variant].weight_oz * ln.quantity for ln in lines)


def _money(
    rng: random.Random, lines: tuple[Line, ...], country: str, state: str, created_ms: int
) -> Money:
    """Draw the discount and work out shipping and tax, all in cents."""
    subtotal = sum(ln.unit_price * ln.quantity for ln in lines)
    promo, percent = _promo(rng, created_ms)
    discount = subtotal * percent // 100
    physical = any(not ln.digital for ln in lines)
    method, shipping = (
        _shipping_charge(rng, country, subtotal - discount) if physical else (None, 0)
    )
    permille = _TAX_PERMILLE.get(state, _DEFAULT_TAX_PERMILLE) if country == "US" else 0
    tax = (subtotal - discount) * permille // 1000
    return Money(subtotal, discount, shipping, tax, promo, method)


def _promo(rng: random.Random, created_ms: int) -> tuple[str | None, int]:
    """Return the promo code used, if any, and its percentage off."""
    if rng.random() >= 0.12:
        return None, 0
    holiday = from_ms(created_ms).month >= 11
    return _HOLIDAY_PROMO if holiday and rng.random() < 0.6 else rng.choice(_PROMOS)


def _shipping_charge(rng: random.Random, country: str, goods: int) -> tuple[str, int]:
    """Return the shipping method and what the customer paid for it."""
    if country != "US":
        return ("International", 1495 if country == "CA" else 2495)
    if rng.random() < 0.15:
        return ("Expedited", 1295)
    return ("Free Shipping", 0) if goods >= 7500 else ("Standard", 595)


def _lifecycle(
    rng: random.Random, parcel: Parcel, grand: int, *, testmode: bool, physical: bool
) -> _Lifecycle:
    """Play the order forward to the anchor: cancel, or ship and fulfil, then maybe refund."""
    outcome = rng.random()
    anchor_ms = parcel.anchor_ms
    if testmode or not physical:
        fulfilled_ms = _instant(rng, parcel.created_ms, anchor_ms, testmode=testmode)
        return _refunded(rng, outcome, grand, anchor_ms, fulfilled_ms, None)
    canceled_ms = parcel.created_ms + rng.randrange(HOUR_MS, 2 * DAY_MS)
    if outcome < CANCEL_SHARE and canceled_ms <= anchor_ms:
        return _Lifecycle("CANCELED", None, canceled_ms, grand, canceled_ms, None)
    shippo = shipping_plan(rng, parcel)
    return _refunded(rng, outcome, grand, anchor_ms, shippo.fulfill_ms, shippo)


def _instant(rng: random.Random, created_ms: int, anchor_ms: int, *, testmode: bool) -> int | None:
    """Fulfil a digital or test order almost at once (half the test orders stay pending)."""
    if testmode and rng.random() < 0.5:
        return None
    at = created_ms + rng.randrange(MINUTE_MS, 10 * MINUTE_MS)
    return at if at <= anchor_ms else None


def _refunded(
    rng: random.Random,
    outcome: float,
    grand: int,
    anchor_ms: int,
    fulfilled_ms: int | None,
    shippo: ShippoPlan | None,
) -> _Lifecycle:
    """Refund all or part of a fulfilled order some days after it shipped."""
    status = "PENDING" if fulfilled_ms is None else "FULFILLED"
    start, end = CANCEL_SHARE, CANCEL_SHARE + FULL_REFUND_SHARE + PARTIAL_REFUND_SHARE
    at = (fulfilled_ms or 0) + rng.randrange(3 * DAY_MS, 30 * DAY_MS)
    if fulfilled_ms is None or not start <= outcome < end or at > anchor_ms:
        return _Lifecycle(status, fulfilled_ms, None, 0, None, shippo)
    full = outcome < start + FULL_REFUND_SHARE
    amount = grand if full else grand * rng.randrange(15, 50) // 100
    return _Lifecycle(status, fulfilled_ms, None, amount, at, shippo)
