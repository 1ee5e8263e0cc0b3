"""Render order plans as Squarespace Commerce API 1.0 JSON (Orders and Inventory)."""

from typing import Any

from sandbox.brand.catalog import Catalog
from sandbox.brand.customers import customer_build
from sandbox.brand.orders import Context, Line, OrderPlan, order_id
from sandbox.brand.seeds import hex_id, iso_ms, money
from sandbox.brand.shipping import SERVICES, Label

_CARRIER_NAMES = {"usps": "USPS", "ups": "UPS", "fedex": "FedEx"}
TRACKING_URLS = {
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}",
    "ups": "https://www.ups.com/track?tracknum={n}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={n}",
}

JSON = dict[str, Any]


def amount(minor: int, currency: str) -> dict[str, str]:
    """Return a Squarespace money object."""
    return {"value": money(minor), "currency": currency}


def order_json(ctx: Context, plan: OrderPlan, tracking: list[tuple[Label, str]]) -> JSON:
    """Return the Squarespace Order object for `plan`; `tracking` pairs labels with numbers."""
    customer = customer_build(seed=ctx.seed, index=plan.customer)
    address = customer.address.as_squarespace()
    cur = plan.currency
    return {
        "id": order_id(ctx.seed, plan.index, plan.created_ms),
        "orderNumber": plan.number,
        "createdOn": iso_ms(plan.created_ms),
        "modifiedOn": iso_ms(plan.modified_ms),
        "channel": plan.channel,
        "channelName": "Point of Sale" if plan.channel == "pos" else "Online Store",
        "externalOrderReference": None,
        "testmode": plan.testmode,
        "customerEmail": None if plan.channel == "pos" else customer.email,
        "customerId": None if plan.channel == "pos" else customer.customer_id,
        "billingAddress": address,
        "shippingAddress": address if plan.physical else None,
        "fulfillmentStatus": plan.fulfillment,
        "paymentState": plan.payment_state,
        "priceTaxInterpretation": "EXCLUSIVE",
        "lineItems": [_line_json(ctx, plan, n, line) for n, line in enumerate(plan.lines)],
        "internalNotes": [],
        "formSubmission": None,
        **_totals(plan, cur),
        "fulfilledOn": iso_ms(plan.fulfilled_ms) if plan.fulfilled_ms is not None else None,
        "fulfillments": [_fulfillment_json(label, number) for label, number in tracking],
    }


def _totals(plan: OrderPlan, cur: str) -> JSON:
    """Return the money fields and the discount and shipping lines."""
    m = plan.money
    discounts = [{"name": f"{m.promo} promo", "description": None, "promoCode": m.promo,
                  "amount": amount(m.discount, cur)}] if m.promo else []  # fmt: skip
    shipping = [{"method": m.shipping_method, "amount": amount(m.shipping, cur)}]
    return {
        "subtotal": amount(m.subtotal, cur),
        "shippingTotal": amount(m.shipping, cur),
        "discountTotal": amount(m.discount, cur),
        "taxTotal": amount(m.tax, cur),
        "refundedTotal": amount(plan.refunded, cur),
        "grandTotal": amount(m.grand, cur),
        "discountLines": discounts,
        "shippingLines": shipping if m.shipping_method else [],
    }


def _line_json(ctx: Context, plan: OrderPlan, n: int, line: Line) -> JSON:
    """Return one Squarespace line item."""
    catalog = ctx.catalog
    variant = catalog.variants[line.variant]
    product = catalog.product_of(variant)
    options = [{"optionName": product.option_name, "value": variant.option_value}]
    physical = not line.digital
    return {
        "id": hex_id(ctx.seed, 24, "line", plan.index, n),
        "lineItemType": "PHYSICAL_PRODUCT" if physical else "DIGITAL",
        "productId": product.product_id,
        "productName": product.name,
        "variantId": variant.variant_id,
        "sku": variant.sku,
        "quantity": line.quantity,
        "unitPricePaid": amount(line.unit_price, plan.currency),
        "variantOptions": options if variant.option_value else [],
        "customizations": None,
        "imageUrl": product.image_url,
        "weight": round(variant.weight_oz / 16, 2) if physical else 0.0,
        "length": 10.0 if physical else 0.0,
        "width": 8.0 if physical else 0.0,
        "height": 4.0 if physical else 0.0,
    }


def _fulfillment_json(label: Label, number: str) -> JSON:
    """Return the shipment Shippo wrote back to Squarespace for one label."""
    return {
        "shipDate": iso_ms(label.created_ms),
        "carrierName": _CARRIER_NAMES[label.carrier],
        "service": SERVICES[label.carrier][label.service][0],
        "trackingNumber": number,
        "trackingUrl": TRACKING_URLS[label.carrier].format(n=number),
    }


def inventory_json(catalog: Catalog) -> list[JSON]:
    """Return every Squarespace inventory item, in catalog order."""
    return [catalog.inventory_item(variant) for variant in catalog.variants]
