"""The integrations core's models: what every consumer reads, with no per-provider code."""

from integrations.models.ads import (
    AdAccount,
    AdPlatform,
    AdSet,
    Campaign,
    CampaignDay,
    SearchTermDay,
)
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
from integrations.models.search import SearchDay, SearchProperty
from integrations.models.shipping import Label, Rate, Shipment, ShippoOrder
from integrations.models.social import SocialChannel, SocialPost

__all__ = [
    "AdAccount",
    "AdPlatform",
    "AdSet",
    "Campaign",
    "CampaignDay",
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
    "SearchDay",
    "SearchProperty",
    "SearchTermDay",
    "Shipment",
    "ShippoOrder",
    "SocialChannel",
    "SocialPost",
    "SyncRun",
    "SyncState",
    "SyncStatus",
    "WebhookDelivery",
]
