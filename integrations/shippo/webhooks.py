"""The track_updated webhook: find the connection by its URL token, parse, apply.

Shippo signs nothing by default, so the URL carries a secret (`webhook_token`, 32 random
bytes, made at connect time) compared in constant time with every Shippo connection's.
A delivery moves one label (by tracking number and carrier) to the reported status unless
the label already holds one dated the same or later: the same delivery twice changes one
row once, and a late, older delivery never undoes a newer one.
"""

import hmac
import json
from dataclasses import dataclass
from typing import Any

from integrations.models import Connection, ConnectionStatus
from integrations.shippo.parse import MalformedPage, TrackingUpdate, tracking_update_parse

EVENT = "track_updated"


class BadDelivery(Exception):
    """The body is not a track_updated delivery we can apply."""


@dataclass(frozen=True)
class Delivery:
    test: bool
    update: TrackingUpdate


def token_connection(token: str) -> Connection | None:
    """Return the active Shippo connection whose webhook token is `token`, or None."""
    found = None
    candidates = Connection.objects.filter(
        provider="shippo", status=ConnectionStatus.ACTIVE, credential__isnull=False
    ).select_related("credential")
    for connection in candidates:
        credential = connection.credential
        stored = credential.secret.reveal().get("webhook_token") if credential else None
        # Compare with every connection, so timing says nothing about which one matched.
        if isinstance(stored, str) and hmac.compare_digest(stored.encode(), token.encode()):
            found = connection
    return found


def delivery_parse(body: bytes) -> Delivery:
    """Parse a webhook body strictly; anything else is a BadDelivery naming what is wrong."""
    try:
        raw: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadDelivery("not JSON") from None
    if not isinstance(raw, dict):
        raise BadDelivery("not an object")
    if raw.get("event") != EVENT:
        raise BadDelivery("not a track_updated event")
    test = raw.get("test", False)
    if not isinstance(test, bool):
        raise BadDelivery("test is not true or false")
    try:
        return Delivery(test, tracking_update_parse(raw.get("data")))
    except MalformedPage as error:
        raise BadDelivery(error.args[0]) from None
