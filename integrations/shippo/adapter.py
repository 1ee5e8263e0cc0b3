"""What the Shippo package tells the core: how to connect by token, sync and revoke.

Connecting checks the token with one cheap read (GET /transactions/?results=1) and names the
account by the token's mode: "Shippo (test)" or "Shippo (live)", account id "test" or "live"
unless --account names one. The sealed credential also holds `webhook_token`, the secret
path segment of our track_updated webhook URL (`manage.py shippo_webhook_url` prints it); a
reconnect keeps the existing one so the URL set in Shippo keeps working.

Revoking calls nothing: Shippo has no token revocation endpoint; the token is deleted in the
Shippo dashboard, and our side stops fetching at once and purges it (connection_revoke).
"""

import secrets
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse

from integrations.http import PermanentError
from integrations.models import Connection
from integrations.providers import AccountGrant, OAuthStart
from integrations.shippo.client import ShippoClient, token_mode
from integrations.shippo.sync import STREAM_NAMES, streams_for
from integrations.sync.engine import Stream


def webhook_url(connection: Connection) -> str:
    """Return the public track_updated URL to paste into Shippo's webhook settings."""
    if connection.credential is None:
        raise ValueError("the connection holds no webhook token")
    token = str(connection.credential.secret.reveal()["webhook_token"])
    path = reverse("shippo_webhooks:track_updated", kwargs={"token": token})
    return f"{settings.FLUX_PUBLIC_URL.rstrip('/')}{path}"


class ShippoAdapter:
    name = "shippo"
    label = "Shippo"
    connects_by_key = True
    connects_by_oauth = False
    stream_names: Sequence[str] = STREAM_NAMES

    def streams(self, connection: Connection) -> list[Stream]:
        """Return the shipments, labels and Shippo orders streams."""
        return streams_for(connection)

    def connect_with_key(self, *, api_key: str, account: str) -> AccountGrant:
        """Check the token with one read and describe the account by the token's mode."""
        mode = token_mode(api_key)
        ShippoClient(token=api_key).check()
        account_id = account or mode
        secret = {"api_token": api_key, "webhook_token": _webhook_token(account_id)}
        return AccountGrant(account_id, f"Shippo ({mode})", secret)

    def oauth_start(self, *, state: str, redirect_uri: str) -> OAuthStart:
        """Refuse: Shippo connects with an API token only."""
        raise PermanentError("Shippo connects with an API token only", provider=self.name)

    def oauth_finish(self, *, code: str, redirect_uri: str, code_verifier: str) -> AccountGrant:
        """Refuse: Shippo connects with an API token only."""
        raise PermanentError("Shippo connects with an API token only", provider=self.name)

    def revoke(self, connection: Connection) -> None:
        """Do nothing: Shippo has no revocation endpoint (see the module docstring)."""


def _webhook_token(account_id: str) -> str:
    """Keep the webhook token of an account being reconnected; make one for a new account."""
    existing = Connection.objects.filter(
        provider="shippo", external_account_id=account_id, credential__isnull=False
    ).first()
    if existing is not None and existing.credential is not None:
        kept = existing.credential.secret.reveal().get("webhook_token")
        if isinstance(kept, str) and kept:
            return kept
    return secrets.token_urlsafe(32)
