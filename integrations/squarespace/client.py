"""Every call to the Squarespace Commerce APIs, through the shared HTTP wrapper, parsed.

Credentials come in two kinds, both sent as `Authorization: Bearer`:
- {"kind": "api_key", "api_key"}: never expires and has nothing to refresh, so a 401 is an
  AuthError and the engine marks the connection needs_reconnect;
- {"kind": "oauth", "access_token", "refresh_token", ...}: a 401 refreshes once, with the
  rotating refresh token, and both new tokens are stored in one transaction before the call
  is retried. The refresh holds the connection's row lock and first re-reads the stored
  tokens, so two workers never both spend the same refresh token.
"""

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from django.conf import settings
from django.db import transaction

from integrations.connections import connection_store_refreshed_secret
from integrations.http import AuthError, HttpClient, RetryPolicy
from integrations.models import Connection
from integrations.squarespace import oauth
from integrations.squarespace.parse import (
    Listing,
    MalformedPage,
    OrderRecord,
    StockRecord,
    Website,
    inventory_page_parse,
    order_parse,
    orders_page_parse,
    website_parse,
)

logger = logging.getLogger(__name__)

# Tests shorten these; the read timeout also bounds how long a stalled page can hold a worker.
RETRY_POLICY = RetryPolicy(max_attempts=4, read_timeout=30.0)
REFRESH_MARGIN_SECONDS = 60


@dataclass
class ConnectionAuth:
    """The bearer credential of one connection, refreshed in place when it is OAuth."""

    connection_id: int | None
    secret: dict[str, Any]
    refreshed: int = field(default=0)

    @property
    def is_oauth(self) -> bool:
        return self.secret.get("kind") == "oauth"

    def headers(self) -> Mapping[str, str]:
        """Return the Authorization header, first refreshing an access token about to expire."""
        if self.expiring():
            self.refresh()
        token = self.secret["access_token"] if self.is_oauth else self.secret["api_key"]
        return {"Authorization": f"Bearer {token}"}

    def expiring(self) -> bool:
        """Say whether the OAuth access token is about to expire."""
        expires = float(self.secret.get("access_token_expires_at") or 0)
        return self.is_oauth and expires < time.time() + REFRESH_MARGIN_SECONDS

    def refresh(self) -> None:
        """Rotate the tokens and store both, unless another worker already did."""
        if self.connection_id is None:
            raise AuthError("no stored connection to refresh", provider="squarespace")
        with transaction.atomic():
            connection = Connection.objects.select_for_update().get(pk=self.connection_id)
            if connection.credential is None:
                raise AuthError("the connection was revoked", provider="squarespace")
            stored = dict(connection.credential.secret.reveal())
            if stored.get("access_token") == self.secret.get("access_token"):
                stored = self._rotate(stored)
            self.secret = stored
        self.refreshed += 1

    def _rotate(self, stored: dict[str, Any]) -> dict[str, Any]:
        tokens = oauth.token_refresh(refresh_token=str(stored.get("refresh_token", "")))
        fresh = {**stored, **tokens.secret()}
        connection_store_refreshed_secret(connection_id=int(self.connection_id or 0), secret=fresh)
        logger.info("squarespace tokens rotated connection_id=%s", self.connection_id)
        return fresh


class SquarespaceClient:
    """Reads orders, inventory and site info; creates webhook subscriptions."""

    def __init__(self, auth: ConnectionAuth, *, base_url: str | None = None) -> None:
        self.auth = auth
        self.http = HttpClient(
            provider="squarespace",
            base_url=base_url or settings.SQUARESPACE_API_URL,
            auth_headers=auth.headers,
            refresh_auth=auth.refresh if auth.is_oauth else None,
            policy=RETRY_POLICY,
        )

    @classmethod
    def for_connection(cls, connection: Connection) -> "SquarespaceClient":
        """Build the client of a stored connection (an expiring token refreshes on first use)."""
        if connection.credential is None:
            raise AuthError("the connection holds no credential", provider="squarespace")
        return cls(ConnectionAuth(connection.pk, dict(connection.credential.secret.reveal())))

    def orders_page(
        self,
        *,
        modified_after: datetime | None = None,
        modified_before: datetime | None = None,
        cursor: str | None = None,
    ) -> Listing[OrderRecord]:
        """Read one page of orders: by cursor, or by modified range (the API forbids both)."""
        params: dict[str, str] = {}
        if cursor is not None:
            params["cursor"] = cursor
        elif modified_after is not None and modified_before is not None:
            params["modifiedAfter"] = _iso(modified_after)
            params["modifiedBefore"] = _iso(modified_before)
        return orders_page_parse(self._get("/1.0/commerce/orders", params))

    def order(self, order_id: str) -> OrderRecord:
        """Read one order."""
        return order_parse(self._get(f"/1.0/commerce/orders/{_segment(order_id)}", {}))

    def inventory_page(self, *, cursor: str | None = None) -> Listing[StockRecord]:
        """Read one page of inventory."""
        params = {"cursor": cursor} if cursor is not None else {}
        return inventory_page_parse(self._get("/1.0/commerce/inventory", params))

    def website(self) -> Website:
        """Describe the website the credential belongs to."""
        return website_parse(self._get("/1.0/authorization/website", {}))

    def webhook_subscribe(self, *, endpoint_url: str, topics: list[str]) -> tuple[str, str]:
        """Subscribe to topics (OAuth only); return the subscription id and its hex secret."""
        body = {"endpointUrl": endpoint_url, "topics": topics}
        response = self.http.post_json("/1.0/webhook_subscriptions", body=body, idempotent=False)
        data = _json(response)
        sub_id, secret = data.get("id"), data.get("secret")
        if not isinstance(sub_id, str) or not isinstance(secret, str) or not _is_hex(secret):
            raise MalformedPage("the subscription lacks its id or hex secret")
        return sub_id, secret

    def _get(self, path: str, params: Mapping[str, str]) -> Any:
        return _json(self.http.request("GET", path, params=params))


def _json(response: requests.Response) -> Any:
    """Decode a body; a garbled or cut-short one is a MalformedPage (transient)."""
    try:
        return response.json()
    except ValueError as exc:
        raise MalformedPage("the response is not valid JSON") from exc


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _segment(order_id: str) -> str:
    if not order_id.isalnum() or len(order_id) > 64:
        raise MalformedPage("an order id must be alphanumeric")
    return order_id


def _is_hex(value: str) -> bool:
    try:
        return bool(bytes.fromhex(value))
    except ValueError:
        return False
