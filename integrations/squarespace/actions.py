"""Writes to Squarespace: none yet; the app only reads orders and inventory.

Fulfilling an order (POST /1.0/commerce/orders/{id}/fulfillments, 204) has no
Idempotency-Key, so a retry appends a second shipment; when it is needed it must be
recorded before sending and never retried blindly.
"""
