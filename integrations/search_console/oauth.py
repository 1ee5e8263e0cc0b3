"""Connect Search Console: Google OAuth (read-only webmasters scope), then pick the property.

The consent and token calls are the shared Google helper's (integrations/google_oauth.py):
offline access with prompt=consent, so a refresh token always comes back, and PKCE S256.
The property is chosen with sites.list: the one named, or else the first the account has
verified (an unverified URL-prefix property cannot be queried). Its site URL becomes the
connection's account id. `manage.py connect search_console --api-key <refresh token>
[--account <property>]` takes a refresh token made elsewhere and does the same.
"""

from integrations.google_oauth import (
    WEBMASTERS_READONLY_SCOPE,
    code_exchange,
    consent_start,
)
from integrations.http import PermanentError
from integrations.providers import AccountGrant, OAuthStart
from integrations.search_console.client import SearchConsoleClient
from integrations.search_console.parse import PROVIDER, SiteRecord

SCOPES = [WEBMASTERS_READONLY_SCOPE]


def oauth_start(*, state: str, redirect_uri: str) -> OAuthStart:
    """Return Google's consent URL for read-only Search Console access."""
    return consent_start(scopes=SCOPES, state=state, redirect_uri=redirect_uri)


def oauth_finish(*, code: str, redirect_uri: str, code_verifier: str) -> AccountGrant:
    """Exchange the code, then describe the first verified property."""
    tokens = code_exchange(
        code=code, redirect_uri=redirect_uri, code_verifier=code_verifier, provider=PROVIDER
    )
    return property_grant(SearchConsoleClient(secret=tokens.secret()), account="")


def key_connect(*, refresh_token: str, account: str) -> AccountGrant:
    """Check a refresh token (it refreshes on first use) and describe the chosen property."""
    secret = {"kind": "oauth", "refresh_token": refresh_token}
    return property_grant(SearchConsoleClient(secret=secret), account=account)


def property_grant(client: SearchConsoleClient, *, account: str) -> AccountGrant:
    """Choose the property with sites.list and return the grant with the client's tokens."""
    site = property_choose(client.sites(), account=account)
    return AccountGrant(  # no token_expires_at: the access token renews itself
        external_account_id=site.site_url,
        display_name=site.site_url,
        secret={**client.secret, "site_url": site.site_url},
    )


def property_choose(sites: list[SiteRecord], *, account: str) -> SiteRecord:
    """Return the property named `account`, or else the first verified one."""
    verified = [site for site in sites if site.verified]
    if account:
        verified = [site for site in verified if site.site_url == account]
    if not verified:
        wanted = f"the property {account}" if account else "a verified property"
        raise PermanentError(f"this Google account has no access to {wanted}", provider=PROVIDER)
    return verified[0]
