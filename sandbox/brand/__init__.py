"""A deterministic Flux Engineering brand: catalog, customers, orders, Shippo labels, truth."""

from sandbox.brand.brand import SCALES, Brand, OrderPage, ShippoPage

__all__ = ["SCALES", "Brand", "OrderPage", "ShippoPage"]
