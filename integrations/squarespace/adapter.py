"""What the Squarespace package tells the core: how to connect, sync and revoke.

Connecting by API key (`manage.py connect squarespace --api-key K`) checks the key against
GET /1.0/authorization/website, which also names the account (the website id). Connecting by
OAuth exchanges the code, then subscribes to order.create and order.update webhooks: only an
OAuth token may subscribe, and the subscription's secret, shown once, is kept in the sealed
credential as `webhook_secret`. A key connection has no webhooks and relies on polling.

Revoking calls nothing: Squarespace documents no token revocation. A key is deleted in the
site's Developer API Keys settings; an OAuth grant ends when the site owner removes the
extension. Our side stops fetching at once and purges the tokens (connection_revoke).
"""

import logging
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse

from integrations.http import PermanentError, ProviderError
from integrations.models import Connection
from integrations.providers import AccountGrant, OAuthStart
from integrations.squarespace import oauth
from integrations.squarespace.client import ConnectionAuth, SquarespaceClient
from integrations.squarespace.sync import InventoryStream, OrdersStream
from integrations.sync.engine import Stream

logger = logging.getLogger(__name__)

WEBHOOK_TOPICS = ["order.create", "order.update"]


def webhook_endpoint() -> str:
    """Return the public URL Squarespace posts notifications to."""
    return f"{settings.FLUX_PUBLIC_URL.rstrip('/')}{reverse('squarespace_webhooks:notify')}"


class SquarespaceAdapter:
    name = "squarespace"
    label = "Squarespace"
    connects_by_key = True
    connects_by_oauth = True
    stream_names: Sequence[str] = ("orders", "inventory")

    def streams(self, connection: Connection) -> list[Stream]:
        """Return the orders and inventory streams, sharing one client."""
        client = SquarespaceClient.for_connection(connection)
        return [OrdersStream(client), InventoryStream(client)]

    def connect_with_key(self, *, api_key: str, account: str) -> AccountGrant:
        """Check the key against the site-info endpoint and name the site."""
        secret = {"kind": "api_key", "api_key": api_key}
        site = SquarespaceClient(ConnectionAuth(None, secret)).website()
        if account and account != site.website_id:
            raise PermanentError("the key belongs to another website", provider=self.name)
        return AccountGrant(site.website_id, site.title, secret)

    def oauth_start(self, *, state: str, redirect_uri: str) -> OAuthStart:
        """Return the consent URL."""
        return OAuthStart(url=oauth.authorize_url(state=state, redirect_uri=redirect_uri))

    def oauth_finish(self, *, code: str, redirect_uri: str, code_verifier: str) -> AccountGrant:
        """Exchange the code, name the site and subscribe to order webhooks."""
        tokens = oauth.code_exchange(code=code, redirect_uri=redirect_uri)
        client = SquarespaceClient(ConnectionAuth(None, tokens.secret()))
        site = client.website()
        secret = {**tokens.secret(), **_subscription(client)}
        # No token_expires_at: the access token renews itself with the refresh token.
        return AccountGrant(site.website_id, site.title, secret)

    def revoke(self, connection: Connection) -> None:
        """Do nothing: Squarespace has no revocation endpoint (see the module docstring)."""


def _subscription(client: SquarespaceClient) -> dict[str, str]:
    """Subscribe to order webhooks; without them polling still finds every change."""
    try:
        sub_id, secret = client.webhook_subscribe(
            endpoint_url=webhook_endpoint(), topics=WEBHOOK_TOPICS
        )
    except ProviderError as error:
        logger.warning("squarespace webhook subscription failed error=%s", error)
        return {}
    return {"webhook_subscription_id": sub_id, "webhook_secret": secret}
