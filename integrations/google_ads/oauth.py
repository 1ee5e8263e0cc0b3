"""Connect Google Ads: by OAuth (consent, code exchange, first accessible customer) or by key.

The consent asks for the adwords scope, offline, with prompt=consent and PKCE S256
(integrations/google_oauth.py). The customer is the first the token reaches directly
(CustomerService.ListAccessibleCustomers); `manage.py connect google_ads --api-key <refresh
token> --account <customer id>` picks one explicitly (dashes allowed).
"""

from integrations.google_ads.client import PROVIDER, GoogleAdsApi
from integrations.google_oauth import ADWORDS_SCOPE, code_exchange, consent_start
from integrations.http import PermanentError
from integrations.providers import AccountGrant, OAuthStart


def authorize_start(*, state: str, redirect_uri: str) -> OAuthStart:
    """Return the consent URL and the PKCE verifier to keep."""
    return consent_start(scopes=[ADWORDS_SCOPE], state=state, redirect_uri=redirect_uri)


def authorize_finish(*, code: str, redirect_uri: str, code_verifier: str) -> AccountGrant:
    """Exchange the code and describe the first accessible customer."""
    tokens = code_exchange(code=code, redirect_uri=redirect_uri, code_verifier=code_verifier,
                           provider=PROVIDER)  # fmt: skip
    return account_grant(refresh_token=tokens.refresh_token, account="")


def account_grant(*, refresh_token: str, account: str) -> AccountGrant:
    """Check the refresh token, choose the customer and name it."""
    wanted = account.replace("-", "").strip()
    reachable = GoogleAdsApi(refresh_token=refresh_token, customer_id="").accessible_customers()
    if not reachable or (wanted and wanted not in reachable):
        raise PermanentError("the token reaches no such Google Ads customer", provider=PROVIDER)
    customer_id = wanted or reachable[0]
    customer = GoogleAdsApi(refresh_token=refresh_token, customer_id=customer_id).customer()
    secret = {"kind": "oauth", "refresh_token": refresh_token, "customer_id": customer_id}
    return AccountGrant(customer_id, customer.name or customer_id, secret)
