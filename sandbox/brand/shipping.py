"""How a physical order travels through Shippo, drawn with the breakages seen in practice.

The chain is Squarespace -> QuickBooks -> Shippo: an order is relayed into Shippo as a Shippo
order some hours after it is placed, someone buys one or more labels for it, the carrier scans
the parcel, and Shippo writes the tracking number back so Squarespace marks the order
fulfilled. Each step can go missing or go wrong, at rates the tests check.
"""

import random
from dataclasses import dataclass

from sandbox.brand.seeds import DAY_MS, HOUR_MS, MINUTE_MS, Weighted

STALE_AFTER_MS = 7 * DAY_MS  # a label still PRE_TRANSIT this long after its last event is stale

# Rates per physical order; the tests hold the generator to these.
NEVER_RELAYED = 0.02  # never reached Shippo: no Shippo order, no label
NO_LABEL = 0.01  # a Shippo order nobody bought a label for
VOIDED_ONLY = 0.007  # the only label was voided and never replaced
VOIDED_REPLACED = 0.015  # a voided label, then a good one
DUPLICATE = 0.005  # two good labels bought by mistake
SPLIT = 0.12  # of orders with two or more items: shipped in several parcels
ZIP_TYPO = 0.005  # the ZIP was mistyped on the way to Shippo
NEVER_FULFILLED = 0.012  # labelled, but nobody marked the order fulfilled in Squarespace
FULFILLED_WITHOUT_LABEL = 0.35  # of orders without a good label: marked fulfilled by hand

# How the Squarespace order number is written in Shippo, and how often.
NUMBER_FORMATS = (
    ("hash", "#{n}", 30), ("order_hash", "Order #{n}", 20), ("order_word", "order {n}", 10),
    ("sq_prefix", "SQ-{n}", 10), ("zero_padded", "0{n}", 10), ("bare", "{n}", 20),
)  # fmt: skip
_FORMATS = Weighted(tuple(((name, template), weight) for name, template, weight in NUMBER_FORMATS))
_DECORATIONS = ("{t} - gift wrap", "QB sync: {t}", "{t} (Flux Engineering)", "reship {t}")
_CARRIERS_US = Weighted((("usps", 70), ("ups", 20), ("fedex", 10)))
_CARRIERS_INTL = Weighted((("usps", 60), ("ups", 25), ("fedex", 15)))
SERVICES = {
    "usps": (
        ("USPS Ground Advantage", "usps_ground_advantage"),
        ("Priority Mail", "usps_priority"),
    ),
    "ups": (("UPS Ground", "ups_ground"), ("UPS 2nd Day Air", "ups_second_day_air")),
    "fedex": (("FedEx Ground", "fedex_ground"), ("FedEx Home Delivery", "fedex_home_delivery")),
}


@dataclass(frozen=True, slots=True)
class Label:
    """One Shippo transaction (a purchased label) and what happened to its parcel."""

    k: int  # position among the order's labels
    created_ms: int
    carrier: str
    service: int  # index into SERVICES[carrier]
    cost: int  # minor units, USD
    voided_ms: int | None
    tracking_status: str
    status_ms: int  # when the current tracking status was reached
    history: tuple[tuple[str, int], ...]  # (status, ms) from the first event on

    @property
    def valid(self) -> bool:
        """Return whether the label is bought and not voided."""
        return self.voided_ms is None


@dataclass(frozen=True, slots=True)
class ShippoPlan:
    """Everything Shippo holds for one Squarespace order."""

    relayed_ms: int | None  # when the Shippo order was created; None: never relayed
    number_format: str
    order_number: str  # the Squarespace number as written on the Shippo order
    metadata: str  # the same, as typed into each label's metadata
    postal_code: str  # the ZIP Shippo has, typo and all
    labels: tuple[Label, ...]
    multiple: str | None  # "split" or "duplicate" when several good labels exist
    fulfill_ms: int | None  # when Squarespace marked the order fulfilled

    @property
    def valid_labels(self) -> tuple[Label, ...]:
        """Return the labels that were not voided."""
        return tuple(label for label in self.labels if label.valid)


@dataclass(frozen=True, slots=True)
class Parcel:
    """The facts about an order that shipping depends on."""

    number: int
    created_ms: int
    anchor_ms: int
    items: int
    weight_oz: float
    postal_code: str
    domestic: bool


def shipping_plan(rng: random.Random, parcel: Parcel) -> ShippoPlan:
    """Draw how `parcel` went through Shippo, as it stands at the anchor."""
    fmt, number, metadata = _number_text(rng, parcel.number)
    relay = rng.random()
    relayed_ms: int | None = parcel.created_ms + rng.randrange(HOUR_MS // 2, 12 * HOUR_MS)
    labels: tuple[Label, ...] = ()
    multiple, postal = None, parcel.postal_code
    if relay < NEVER_RELAYED or (relayed_ms or 0) > parcel.anchor_ms:
        relayed_ms = None
    elif relay >= NEVER_RELAYED + NO_LABEL:
        labels, multiple = _labels(rng, parcel, relayed_ms or 0)
        postal = _typo(rng, postal) if rng.random() < ZIP_TYPO else postal
    valid = tuple(lb for lb in labels if lb.valid)
    multiple = multiple if len(valid) > 1 else None
    fulfilled = _fulfilled_ms(rng, parcel, valid)
    return ShippoPlan(relayed_ms, fmt, number, metadata, postal, labels, multiple, fulfilled)


def _fulfilled_ms(rng: random.Random, parcel: Parcel, valid: tuple[Label, ...]) -> int | None:
    """Return when Squarespace marked the order fulfilled, if it has by the anchor.

    With a good label, Shippo marks it minutes later (unless nobody synced it); without one,
    someone sometimes marks it by hand anyway.
    """
    draw = rng.random()
    if valid:
        at = valid[0].created_ms + rng.randrange(5 * MINUTE_MS, 3 * HOUR_MS)
        happened = draw >= NEVER_FULFILLED
    else:
        at = parcel.created_ms + rng.randrange(DAY_MS, 4 * DAY_MS)
        happened = draw < FULFILLED_WITHOUT_LABEL
    return at if happened and at <= parcel.anchor_ms else None


def _number_text(rng: random.Random, number: int) -> tuple[str, str, str]:
    """Pick how the order number is written in Shippo: (format name, order_number, metadata)."""
    name, template = _FORMATS.pick(rng.random())
    text = template.format(n=number)
    decorated = rng.choice(_DECORATIONS).format(t=text) if rng.random() < 0.15 else text
    return name, text, decorated


def _labels(
    rng: random.Random, parcel: Parcel, relayed_ms: int
) -> tuple[tuple[Label, ...], str | None]:
    """Draw the labels bought for an order and whether several good ones exist."""
    first_ms = relayed_ms + _label_delay(rng)
    carrier = _carrier(rng, parcel.domestic)
    draw = rng.random()
    if draw < VOIDED_ONLY:
        return _voided(rng, parcel, first_ms, carrier, replaced=False), None
    if draw < VOIDED_ONLY + VOIDED_REPLACED:
        return _voided(rng, parcel, first_ms, carrier, replaced=True), None
    if draw < VOIDED_ONLY + VOIDED_REPLACED + DUPLICATE:
        second = first_ms + rng.randrange(MINUTE_MS, 3 * HOUR_MS)
        return _bought(rng, parcel, carrier, (first_ms, second)), "duplicate"
    if parcel.items >= 2 and rng.random() < SPLIT:
        count = 3 if parcel.items >= 4 and rng.random() < 0.3 else 2
        times = tuple(first_ms + n * rng.randrange(MINUTE_MS, 20 * MINUTE_MS) for n in range(count))
        return _bought(rng, parcel, carrier, times), "split"
    return _bought(rng, parcel, carrier, (first_ms,)), None


def _label_delay(rng: random.Random) -> int:
    """Return how long after the relay the first label was bought: usually hours, some days."""
    draw = rng.random()
    if draw < 0.6:
        return rng.randrange(2 * HOUR_MS, 20 * HOUR_MS)
    if draw < 0.85:
        return rng.randrange(20 * HOUR_MS, 2 * DAY_MS)
    if draw < 0.97:
        return rng.randrange(2 * DAY_MS, 4 * DAY_MS)
    return rng.randrange(4 * DAY_MS, 9 * DAY_MS)


def _carrier(rng: random.Random, domestic: bool) -> str:
    """Pick a carrier token; USPS carries most parcels."""
    return (_CARRIERS_US if domestic else _CARRIERS_INTL).pick(rng.random())


def _bought(
    rng: random.Random, parcel: Parcel, carrier: str, times: tuple[int, ...]
) -> tuple[Label, ...]:
    """Return good labels bought at `times`, dropping any bought after the anchor."""
    return tuple(
        _label(rng, parcel, k, at, carrier, None)
        for k, at in enumerate(times)
        if at <= parcel.anchor_ms
    )


def _voided(
    rng: random.Random, parcel: Parcel, first_ms: int, carrier: str, *, replaced: bool
) -> tuple[Label, ...]:
    """Return a label voided some hours after purchase, and its replacement if any."""
    if first_ms > parcel.anchor_ms:
        return ()
    void_ms = first_ms + rng.randrange(2 * HOUR_MS, 3 * DAY_MS)
    if void_ms > parcel.anchor_ms:
        return (_label(rng, parcel, 0, first_ms, carrier, None),)
    voided = _label(rng, parcel, 0, first_ms, carrier, void_ms)
    again_ms = void_ms + rng.randrange(HOUR_MS, DAY_MS)
    if not replaced or again_ms > parcel.anchor_ms:
        return (voided,)
    return (voided, _label(rng, parcel, 1, again_ms, carrier, None))


def _label(
    rng: random.Random, parcel: Parcel, k: int, at: int, carrier: str, voided_ms: int | None
) -> Label:
    """Draw one label: service, cost and the tracking history up to the anchor."""
    service = 1 if rng.random() < 0.15 else 0
    cost = _cost(rng, carrier, service, parcel)
    if voided_ms is not None:
        return Label(k, at, carrier, service, cost, voided_ms, "UNKNOWN", at, (("UNKNOWN", at),))
    history = _tracking(rng, at, parcel)
    status, status_ms = history[-1]
    return Label(k, at, carrier, service, cost, None, status, status_ms, history)


def _cost(rng: random.Random, carrier: str, service: int, parcel: Parcel) -> int:
    """Return the postage in cents: by weight, dearer abroad and for faster services."""
    base = {"usps": 420, "ups": 890, "fedex": 940}[carrier] + int(parcel.weight_oz * 9)
    base = base if parcel.domestic else base * 3 + 1200
    return int(base * (1.8 if service else 1.0)) + rng.randrange(0, 60)


def _tracking(rng: random.Random, at: int, parcel: Parcel) -> tuple[tuple[str, int], ...]:
    """Draw the tracking history of a good label, cut at the anchor."""
    accepted = at + rng.randrange(4 * HOUR_MS, 30 * HOUR_MS)
    delivered = (
        accepted + rng.randrange(2 * DAY_MS, 6 * DAY_MS) + (0 if parcel.domestic else 5 * DAY_MS)
    )
    draw = rng.random()
    if draw < 0.01:  # never scanned: the parcel sits on a shelf, or the label was never used
        events = [("PRE_TRANSIT", at)]
    elif draw < 0.022:
        events = [("PRE_TRANSIT", at), ("TRANSIT", accepted), ("RETURNED", delivered + 5 * DAY_MS)]
    elif draw < 0.027:
        events = [("PRE_TRANSIT", at), ("TRANSIT", accepted), ("FAILURE", delivered)]
    elif draw < 0.032:
        events = [("PRE_TRANSIT", at), ("UNKNOWN", accepted)]
    else:
        events = [("PRE_TRANSIT", at), ("TRANSIT", accepted), ("DELIVERED", delivered)]
    return tuple((status, ms) for status, ms in events if ms <= parcel.anchor_ms)


def _typo(rng: random.Random, postal: str) -> str:
    """Mistype a postal code: swap two neighbouring characters or change one digit."""
    chars = list(postal)
    spots = [
        n for n in range(len(chars) - 1) if chars[n] != chars[n + 1] and " " not in chars[n : n + 2]
    ]
    if spots and rng.random() < 0.5:
        n = rng.choice(spots)
        chars[n], chars[n + 1] = chars[n + 1], chars[n]
        return "".join(chars)
    digits = [n for n, c in enumerate(chars) if c.isdigit()]
    n = rng.choice(digits)
    chars[n] = str((int(chars[n]) + rng.randrange(1, 10)) % 10)
    return "".join(chars)
