"""What the Google Ads package tells the core: how to connect, sync and revoke."""

import logging
from collections.abc import Sequence

from integrations.google_ads import oauth
from integrations.google_ads.client import PROVIDER, GoogleAdsApi
from integrations.google_ads.sync import CampaignsStream, MetricsStream, SearchTermsStream
from integrations.google_oauth import token_revoke
from integrations.http import AuthError, ProviderError
from integrations.models import Connection
from integrations.providers import AccountGrant, OAuthStart
from integrations.sync.engine import Stream

logger = logging.getLogger(__name__)


def api_for(connection: Connection) -> GoogleAdsApi:
    """Return the API for a connection's customer."""
    if connection.credential is None:
        raise AuthError("the connection has no credential", provider=PROVIDER)
    secret = connection.credential.secret.reveal()
    return GoogleAdsApi(refresh_token=secret["refresh_token"],
                        customer_id=connection.external_account_id)  # fmt: skip


class GoogleAdsAdapter:
    name = PROVIDER
    label = "Google Ads"
    connects_by_key = True
    connects_by_oauth = True
    stream_names: Sequence[str] = ("campaigns", "metrics", "search_terms")

    def streams(self, connection: Connection) -> list[Stream]:
        """Return the campaigns, metrics and search-terms streams, sharing one API."""
        api = api_for(connection)
        return [CampaignsStream(api, connection), MetricsStream(api, connection),
                SearchTermsStream(api, connection)]  # fmt: skip

    def connect_with_key(self, *, api_key: str, account: str) -> AccountGrant:
        """Connect with a refresh token and (optionally) the customer id."""
        return oauth.account_grant(refresh_token=api_key, account=account)

    def oauth_start(self, *, state: str, redirect_uri: str) -> OAuthStart:
        """Return the consent URL and PKCE verifier."""
        return oauth.authorize_start(state=state, redirect_uri=redirect_uri)

    def oauth_finish(self, *, code: str, redirect_uri: str, code_verifier: str) -> AccountGrant:
        """Exchange the code and choose the customer."""
        return oauth.authorize_finish(code=code, redirect_uri=redirect_uri,
                                      code_verifier=code_verifier)  # fmt: skip

    def revoke(self, connection: Connection) -> None:
        """Ask Google to revoke the refresh token; never raises."""
        if connection.credential is None:
            return
        try:
            token_revoke(token=connection.credential.secret.reveal()["refresh_token"],
                         provider=PROVIDER)  # fmt: skip
        except ProviderError as error:
            logger.warning("google ads revoke failed connection_id=%s error=%s",
                           connection.pk, error)  # fmt: skip
