"""What the Meta package tells the core: how to connect, which streams to sync, and revoke.

Streams, in order: "campaigns" (account, campaigns, ad sets), "insights" (daily campaign
metrics), then "page_posts" and "instagram_media" when a Page and an Instagram account were
chosen while connecting. Revoking calls nothing: the grant ends when the token expires or
an admin removes the app in Meta Business settings; our side stops fetching at once and
purges the sealed tokens (connection_revoke).
"""

from collections.abc import Sequence

from integrations.meta import oauth
from integrations.meta.client import client_for
from integrations.meta.sync import CampaignsStream, InsightsStream, SocialStream
from integrations.models import Connection
from integrations.providers import AccountGrant, OAuthStart
from integrations.sync.engine import Stream


class MetaAdapter:
    name = "meta"
    label = "Meta"
    connects_by_key = True
    connects_by_oauth = True
    stream_names: Sequence[str] = ("campaigns", "insights", "page_posts", "instagram_media")

    def streams(self, connection: Connection) -> list[Stream]:
        """Return the ad streams, then the social ones the connection has chosen accounts for."""
        client = client_for(connection)
        act_id = str(connection.options.get("ad_account_id") or connection.external_account_id)
        streams: list[Stream] = [CampaignsStream(client, act_id), InsightsStream(client, act_id)]
        page_id, ig_user_id = (
            connection.options.get("page_id"),
            connection.options.get("ig_user_id"),
        )
        if page_id:
            page_client = client_for(connection, page=True)
            streams.append(SocialStream(page_client, str(page_id), "page_posts"))
        if ig_user_id:
            streams.append(SocialStream(client, str(ig_user_id), "instagram_media"))
        return streams

    def connect_with_key(self, *, api_key: str, account: str) -> AccountGrant:
        """Connect a system-user token to its ad account (act_...)."""
        return oauth.key_connect(token=api_key, account=account)

    def oauth_start(self, *, state: str, redirect_uri: str) -> OAuthStart:
        """Return the Facebook Login dialog URL (no PKCE: see oauth.py)."""
        return OAuthStart(url=oauth.dialog_url(state=state, redirect_uri=redirect_uri))

    def oauth_finish(self, *, code: str, redirect_uri: str, code_verifier: str) -> AccountGrant:
        """Exchange the code for a long-lived token and pick the accounts it reaches."""
        return oauth.oauth_finish(code=code, redirect_uri=redirect_uri)

    def revoke(self, connection: Connection) -> None:
        """Do nothing at Meta (see the module docstring)."""
