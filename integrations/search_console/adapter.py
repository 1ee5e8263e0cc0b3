"""What the Search Console package tells the core: how to connect, sync and revoke."""

import logging
from collections.abc import Sequence

from integrations.google_oauth import token_revoke
from integrations.http import ProviderError
from integrations.models import Connection
from integrations.providers import AccountGrant, OAuthStart
from integrations.search_console import oauth
from integrations.search_console.parse import PROVIDER
from integrations.search_console.sync import STREAM_NAMES, streams_for
from integrations.sync.engine import Stream

logger = logging.getLogger(__name__)


class SearchConsoleAdapter:
    name = PROVIDER
    label = "Search Console"
    connects_by_key = True  # a Google refresh token, with --account naming the property
    connects_by_oauth = True
    stream_names: Sequence[str] = STREAM_NAMES

    def streams(self, connection: Connection) -> list[Stream]:
        """Return the search analytics stream."""
        return streams_for(connection)

    def connect_with_key(self, *, api_key: str, account: str) -> AccountGrant:
        """Check a refresh token and describe the property it reads."""
        return oauth.key_connect(refresh_token=api_key, account=account)

    def oauth_start(self, *, state: str, redirect_uri: str) -> OAuthStart:
        """Return Google's consent URL."""
        return oauth.oauth_start(state=state, redirect_uri=redirect_uri)

    def oauth_finish(self, *, code: str, redirect_uri: str, code_verifier: str) -> AccountGrant:
        """Exchange the code and choose the property."""
        return oauth.oauth_finish(code=code, redirect_uri=redirect_uri, code_verifier=code_verifier)

    def revoke(self, connection: Connection) -> None:
        """Ask Google to revoke the refresh token (and its access tokens); never raises."""
        secret = connection.credential.secret.reveal() if connection.credential else {}
        token = str(secret.get("refresh_token") or "")
        if not token:
            return
        try:
            token_revoke(token=token, provider=PROVIDER)
        except ProviderError as error:
            logger.warning(
                "search console revoke failed connection_id=%s: %s", connection.pk, error
            )
