"""The integrations core's models: what every consumer reads, with no per-provider code."""

from integrations.models.commerce import InventoryChange, InventoryLevel, Order, OrderLine
from integrations.models.connections import (
    Connection,
    ConnectionStatus,
    Provider,
    SyncRun,
    SyncState,
    SyncStatus,
    WebhookDelivery,
)
from integrations.models.credentials import Credential
from integrations.models.shipping import Label, Rate, Shipment, ShippoOrder

__all__ = [
    "Connection",
    "ConnectionStatus",
    "Credential",
    "InventoryChange",
    "InventoryLevel",
    "Label",
    "Order",
    "OrderLine",
    "Provider",
    "Rate",
    "Shipment",
    "ShippoOrder",
    "SyncRun",
    "SyncState",
    "SyncStatus",
    "WebhookDelivery",
]
