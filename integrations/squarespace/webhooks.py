"""Squarespace order notifications: verify, parse strictly, apply each one once.

The signature is hex(HMAC-SHA256(key=bytes.fromhex(webhook_secret), msg=raw body)),
compared in constant time against the secret of each active connection's subscription; the
one that matches is the connection. The body is parsed only after that. A notification is
thin, so the order is re-fetched through the client and upserted. Each notification id is
kept in WebhookDelivery in the same transaction as the upsert: a replay changes nothing.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.models import Connection, WebhookDelivery
from integrations.squarespace.client import SquarespaceClient
from integrations.squarespace.sync import orders_write

PROVIDER = "squarespace"
TOPICS = frozenset({"order.create", "order.update"})


class BadNotification(ValueError):
    """The body is not a notification we accept."""


@dataclass(frozen=True)
class Notification:
    delivery_id: str
    website_id: str
    topic: str
    order_id: str


def signed_connection(body: bytes, signature: str) -> Connection | None:
    """Return the active connection whose webhook secret signed `body`, or None."""
    given = signature.strip().lower()
    if len(given) != 64 or not all(c in "0123456789abcdef" for c in given):
        return None
    candidates = Connection.objects.fetchable().filter(provider=PROVIDER, credential__isnull=False)
    for connection in candidates.select_related("credential"):
        secret = _webhook_secret(connection)
        if secret is not None and hmac.compare_digest(_sign(secret, body), given):
            return connection
    return None


def _webhook_secret(connection: Connection) -> bytes | None:
    stored = connection.credential.secret.reveal() if connection.credential else {}
    try:
        return bytes.fromhex(str(stored.get("webhook_secret") or "")) or None
    except ValueError:
        return None


def _sign(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def notification_parse(body: bytes) -> Notification:
    """Parse a notification strictly: an object, known topic, ids as bounded strings."""
    try:
        data = json.loads(body, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadNotification("not a JSON object") from exc
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        raise BadNotification("not a notification")
    if data.get("topic") not in TOPICS:
        raise BadNotification("unknown topic")
    return Notification(
        delivery_id=_token(data.get("id"), "id"),
        website_id=_token(data.get("websiteId"), "websiteId"),
        topic=str(data["topic"]),
        order_id=_token(data["data"].get("orderId"), "orderId"),
    )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _token(value: Any, what: str) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= 64 or not value.isascii():
        raise BadNotification(f"{what} is not an id")
    if not value.replace("-", "").isalnum():
        raise BadNotification(f"{what} is not an id")
    return value


def notification_seen(notification: Notification) -> bool:
    """Say whether this notification was already applied."""
    deliveries = WebhookDelivery.objects.filter(provider=PROVIDER)
    return deliveries.filter(delivery_id=notification.delivery_id).exists()


def notification_apply(*, connection: Connection, notification: Notification) -> bool:
    """Re-fetch the order and upsert it, once per notification id; return whether applied."""
    if notification_seen(notification):
        return False
    record = SquarespaceClient.for_connection(connection).order(notification.order_id)
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(
                provider=PROVIDER,
                delivery_id=notification.delivery_id,
                topic=notification.topic,
                processed_at=timezone.now(),
            )
            orders_write(connection=connection, records=[record])
    except IntegrityError:
        return False  # a concurrent copy of the same notification won
    return True
