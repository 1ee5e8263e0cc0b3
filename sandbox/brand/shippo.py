"""Render shipping plans as Shippo API JSON: Shipments, Transactions (labels), Orders, Tracks.

Each label was bought from a shipment created a few minutes before it (SHIPMENT_LEAD_MS), so
shipments sort exactly like labels; the shipment offers every service of the label's carrier
and the label's rate is one of those rates.

Ids and tracking numbers carry the order index and label position in their last digits, so a
lookup by id regenerates one order instead of searching an index.
"""

from typing import Any

from sandbox.brand.customers import customer_build
from sandbox.brand.orders import Context, OrderPlan, shippo_of
from sandbox.brand.seeds import MINUTE_MS, hex_id, iso_ms, money
from sandbox.brand.shipping import SERVICES, Label, ShippoPlan
from sandbox.brand.squarespace import TRACKING_URLS

JSON = dict[str, Any]
OWNER = "shipping@fluxengineering.example"
FROM_ADDRESS = {"name": "Flux Engineering", "company": "Flux Engineering LLC",
                "street1": "400 Foundry St", "street2": "", "city": "Austin", "state": "TX",
                "zip": "78702", "country": "US", "phone": "+1 512-555-0142",
                "email": OWNER, "is_residential": False}  # fmt: skip
SHIPMENT_LEAD_MS = 3 * MINUTE_MS  # a shipment is created this long before its label


def transaction_id(seed: int, index: int, k: int) -> str:
    """Return a label's 32-hex object id: a seeded part, the order index, the label position."""
    return f"{hex_id(seed, 24, 'transaction', index, k)}{index:06x}{k:02x}"


def shipment_id(seed: int, index: int, k: int) -> str:
    """Return the 32-hex id of the shipment label `k` was bought from."""
    return f"{hex_id(seed, 24, 'shipment', index, k)}{index:06x}{k:02x}"


def shippo_order_id(seed: int, index: int) -> str:
    """Return a Shippo order's 32-hex object id, ending in the order index."""
    return f"{hex_id(seed, 26, 'shippo-order', index)}{index:06x}"


def parse_id(object_id: str, tail: int) -> int | None:
    """Return the number in the last `tail` hex digits of a 32-hex id, or None if malformed."""
    if len(object_id) != 32 or any(c not in "0123456789abcdef" for c in object_id):
        return None
    return int(object_id[-tail:], 16)


def tracking_number(seed: int, index: int, label: Label) -> str:
    """Return a carrier-shaped tracking number ending in the order index and label position."""
    tail = f"{index:07d}{label.k}"
    noise = int(hex_id(seed, 12, "tracking", index, label.k), 16)
    if label.carrier == "usps":
        return f"9400{noise % 10**10:010d}{tail}"
    if label.carrier == "ups":
        return f"1Z{hex_id(seed, 6, 'ups-shipper').upper()}03{tail}"
    return f"7{noise % 1000:03d}{tail}"


def parse_tracking(number: str) -> tuple[int, int] | None:
    """Return (order index, label position) from a tracking number, or None."""
    tail = number[-8:]
    return (int(tail[:7]), int(tail[7])) if len(number) >= 12 and tail.isdigit() else None


def transaction_json(ctx: Context, plan: OrderPlan, label: Label) -> JSON:
    """Return the Shippo Transaction for one label (`created_by` always present: SDK 3.9)."""
    shippo = shippo_of(plan)
    number = tracking_number(ctx.seed, plan.index, label)
    oid = transaction_id(ctx.seed, plan.index, label.k)
    return {
        "object_id": oid,
        "object_state": "VALID",
        "status": "SUCCESS" if label.valid else "REFUNDED",
        "object_created": iso_ms(label.created_ms),
        "object_updated": iso_ms(label.voided_ms or label.status_ms),
        "object_owner": OWNER,
        "created_by": None,
        "test": False,
        "rate": _rate_json(ctx, plan, label),
        "tracking_number": number,
        "tracking_status": label.tracking_status,
        "tracking_url_provider": TRACKING_URLS[label.carrier].format(n=number),
        "eta": None,
        "label_url": f"https://deliver.goshippo.com/{oid}.pdf",
        "commercial_invoice_url": None,
        "qr_code_url": None,
        "parcel": hex_id(ctx.seed, 32, "parcel", plan.index, label.k),
        "metadata": shippo.metadata,
        "messages": [],
        "order": shippo_order_id(ctx.seed, plan.index),
    }


def _rate_json(ctx: Context, plan: OrderPlan, label: Label, service: int | None = None) -> JSON:
    """Return a rate of the label's shipment (default: the one bought): carrier, service, cost."""
    service = label.service if service is None else service
    name, token = SERVICES[label.carrier][service]
    cost = label.cost if service == label.service else _other_cost(label)
    bought = service == label.service
    return {
        "object_id": hex_id(
            ctx.seed, 32, "rate", plan.index, label.k, *(() if bought else (service,))
        ),
        "shipment": shipment_id(ctx.seed, plan.index, label.k),
        "amount": money(cost),
        "currency": "USD",
        "amount_local": money(cost),
        "currency_local": "USD",
        "provider": label.carrier.upper() if label.carrier != "fedex" else "FedEx",
        "servicelevel_name": name,
        "servicelevel_token": token,
        "carrier_account": hex_id(ctx.seed, 32, "carrier-account", label.carrier),
    }


def _other_cost(label: Label) -> int:
    """Return the price of the service not bought: faster costs 1.8 times the ground rate."""
    return int(label.cost / 1.8) if label.service else int(label.cost * 1.8)


def shipment_json(ctx: Context, plan: OrderPlan, label: Label) -> JSON:
    """Return the Shippo Shipment label `label` was bought from, with every rate it offered."""
    shippo = shippo_of(plan)
    created = iso_ms(label.created_ms - SHIPMENT_LEAD_MS)
    services = range(len(SERVICES[label.carrier]))
    return {
        "object_id": shipment_id(ctx.seed, plan.index, label.k),
        "object_owner": OWNER,
        "status": "SUCCESS",
        "object_created": created,
        "object_updated": created,
        "shipment_date": created,
        "address_from": FROM_ADDRESS,
        "address_to": _to_address(ctx, plan, shippo),
        "address_return": FROM_ADDRESS,
        "parcels": [_parcel_json(ctx, plan, label)],
        "metadata": shippo.metadata,
        "rates": [_rate_json(ctx, plan, label, service) for service in services],
        "carrier_accounts": [],
        "extra": {},
        "messages": [],
        "test": False,
    }


def _parcel_json(ctx: Context, plan: OrderPlan, label: Label) -> JSON:
    """Return the one parcel of a shipment, weighed from the order's physical lines."""
    ounces = sum(_line_weight(ctx, plan, n) for n in range(len(plan.lines)))
    return {
        "object_id": hex_id(ctx.seed, 32, "parcel", plan.index, label.k),
        "length": "10", "width": "8", "height": "4", "distance_unit": "in",
        "weight": f"{ounces:.2f}", "mass_unit": "oz",
    }  # fmt: skip


def shippo_order_json(ctx: Context, plan: OrderPlan) -> JSON:
    """Return the Shippo Order the QuickBooks relay created for `plan`."""
    shippo = shippo_of(plan)
    m, cur = plan.money, plan.currency
    return {
        "object_id": shippo_order_id(ctx.seed, plan.index),
        "object_owner": OWNER,
        "order_number": shippo.order_number,
        "order_status": _order_status(plan, shippo),
        "placed_at": iso_ms(plan.created_ms),
        "to_address": _to_address(ctx, plan, shippo),
        "from_address": FROM_ADDRESS,
        "line_items": _line_items(ctx, plan),
        "shipping_cost": money(m.shipping),
        "shipping_cost_currency": cur,
        "shipping_method": m.shipping_method,
        "subtotal_price": money(m.subtotal - m.discount),
        "total_price": money(m.grand),
        "total_tax": money(m.tax),
        "currency": cur,
        "weight": f"{sum(_line_weight(ctx, plan, n) for n in range(len(plan.lines))):.2f}",
        "weight_unit": "oz",
        "shop_app": "Shippo",
        "notes": None,
        "transactions": [transaction_id(ctx.seed, plan.index, lb.k) for lb in shippo.labels],
    }


def _order_status(plan: OrderPlan, shippo: ShippoPlan) -> str:
    """Return the Shippo order status: SHIPPED once a good label exists."""
    if plan.payment_state == "REFUNDED":
        return "REFUNDED"
    return "SHIPPED" if shippo.valid_labels else "PAID"


def _to_address(ctx: Context, plan: OrderPlan, shippo: ShippoPlan) -> JSON:
    """Return the recipient as Shippo has it (with any ZIP typo made on the way)."""
    a = customer_build(seed=ctx.seed, index=plan.customer).address
    return {
        "name": a.full_name, "company": "", "street1": a.address1, "street2": a.address2 or "",
        "city": a.city, "state": a.state, "zip": shippo.postal_code, "country": a.country_code,
        "phone": a.phone, "email": "", "is_residential": True,
    }  # fmt: skip


def _line_items(ctx: Context, plan: OrderPlan) -> list[JSON]:
    """Return the physical lines as Shippo line items."""
    items = []
    for n, line in enumerate(plan.lines):
        if line.digital:
            continue
        variant = ctx.catalog.variants[line.variant]
        items.append(
            {
                "title": ctx.catalog.product_of(variant).name,
                "variant_title": variant.option_value or "",
                "sku": variant.sku,
                "quantity": line.quantity,
                "total_price": money(line.unit_price * line.quantity),
                "currency": plan.currency,
                "weight": f"{_line_weight(ctx, plan, n):.2f}",
                "weight_unit": "oz",
            }
        )
    return items


def _line_weight(ctx: Context, plan: OrderPlan, n: int) -> float:
    """Return the weight of line `n` in ounces."""
    line = plan.lines[n]
    return ctx.catalog.variants[line.variant].weight_oz * line.quantity


def track_json(ctx: Context, plan: OrderPlan, label: Label) -> JSON:
    """Return the Shippo Track for one label, history oldest first."""
    shippo = shippo_of(plan)
    a = customer_build(seed=ctx.seed, index=plan.customer).address
    to = {"city": a.city, "state": a.state, "zip": shippo.postal_code, "country": a.country_code}
    name, token = SERVICES[label.carrier][label.service]
    history = [_status_json(ctx, plan, label, n, to) for n in range(len(label.history))]
    return {
        "carrier": label.carrier,
        "tracking_number": tracking_number(ctx.seed, plan.index, label),
        "metadata": shippo.metadata,
        "transaction": transaction_id(ctx.seed, plan.index, label.k),
        "eta": None,
        "original_eta": None,
        "servicelevel": {"name": name, "token": token},
        "address_from": {k: FROM_ADDRESS[k] for k in ("city", "state", "zip", "country")},
        "address_to": to,
        "tracking_status": history[-1],
        "tracking_history": history,
        "messages": [],
    }


def _status_json(ctx: Context, plan: OrderPlan, label: Label, n: int, to: JSON) -> JSON:
    """Return tracking event `n` of a label (always with `status_date`, which SDKs require)."""
    status, at = label.history[n]
    where = to if status in {"DELIVERED", "RETURNED"} else {k: FROM_ADDRESS[k] for k in to}
    return {
        "object_id": hex_id(ctx.seed, 32, "track-event", plan.index, label.k, n),
        "object_created": iso_ms(at),
        "object_updated": iso_ms(at),
        "status": status,
        "status_details": _DETAILS[status],
        "status_date": iso_ms(at),
        "substatus": None,
        "location": where,
    }


_DETAILS = {
    "PRE_TRANSIT": "Shipping label created; the carrier awaits the item.",
    "TRANSIT": "Your shipment is in transit.",
    "DELIVERED": "Your shipment has been delivered.",
    "RETURNED": "Your shipment was returned to the sender.",
    "FAILURE": "The carrier could not deliver your shipment.",
    "UNKNOWN": "The carrier has no information about this shipment.",
}
