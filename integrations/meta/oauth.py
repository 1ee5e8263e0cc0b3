"""Connecting Meta: Facebook Login for Business, or a system-user token from the shell.

The browser flow sends the admin to META_DIALOG_URL/{ver}/dialog/oauth with our scopes and
the shared single-use state (integrations/oauth_views.py). Meta offers no PKCE for this
server-side flow, so the state and the app secret (kept on the server) are the protection;
`OAuthStart.code_verifier` stays empty. The callback's code becomes a short-lived user token,
exchanged at once for a ~60-day long-lived one; debug_token gives its real expiry
(Connection.token_expires_at). A Meta user token cannot be refreshed silently: when it
nears expiry the connections page warns (token_expires_soon) and an admin reconnects.

Choices: the first ad account, the first Page and its linked Instagram account are used;
the others are listed in Connection.options so the connections page can offer them later.
The Page access token (no expiry when it comes from a long-lived user token) is sealed with
the user token in the credential, never in options.

`manage.py connect meta --api-key <system-user token> --account act_...` connects a
Business Manager system-user token (these do not expire) to the named ad account.
"""

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from integrations.http import HttpClient, PermanentError
from integrations.meta import parse
from integrations.meta.client import API_VERSION, MetaClient
from integrations.meta.parse import PROVIDER
from integrations.providers import AccountGrant

SCOPES = (
    "ads_read", "ads_management", "business_management", "pages_show_list",
    "pages_read_engagement", "pages_manage_posts", "instagram_basic",
    "instagram_content_publish", "instagram_manage_insights",
)  # fmt: skip


def dialog_url(*, state: str, redirect_uri: str) -> str:
    """Return the Facebook Login dialog URL for our scopes."""
    query = urlencode(
        {
            "client_id": settings.META_APP_ID,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": ",".join(SCOPES),
            "response_type": "code",
        }
    )
    return f"{settings.META_DIALOG_URL.rstrip('/')}/{API_VERSION}/dialog/oauth?{query}"


def _graph() -> HttpClient:
    return HttpClient(provider=PROVIDER, base_url=settings.META_GRAPH_URL)


def _app() -> dict[str, str]:
    return {"client_id": settings.META_APP_ID, "client_secret": settings.META_APP_SECRET}


def _token(body: Any) -> tuple[str, int]:
    """Return the token and its lifetime in seconds from a token answer."""
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise parse.MalformedResponse("token answer without a token", provider=PROVIDER)
    return body["access_token"], int(body.get("expires_in") or 0)


def code_exchange(*, code: str, redirect_uri: str) -> str:
    """Exchange the callback's code for a short-lived user token."""
    params = {**_app(), "redirect_uri": redirect_uri, "code": code}
    return _token(_graph().get_json(f"/{API_VERSION}/oauth/access_token", params=params))[0]


def long_lived_exchange(token: str) -> str:
    """Exchange a live user token for a ~60-day one (an expired token is refused)."""
    params = {**_app(), "grant_type": "fb_exchange_token", "fb_exchange_token": token}
    return _token(_graph().get_json(f"/{API_VERSION}/oauth/access_token", params=params))[0]


def token_check(token: str) -> parse.TokenInfo:
    """Ask debug_token whether a token is valid and when it expires."""
    app_token = f"{settings.META_APP_ID}|{settings.META_APP_SECRET}"
    params = {"input_token": token, "access_token": app_token}
    return parse.token_info(_graph().get_json(f"/{API_VERSION}/debug_token", params=params))


def oauth_finish(*, code: str, redirect_uri: str) -> AccountGrant:
    """Turn the callback's code into a long-lived token and the choices it reaches."""
    short = code_exchange(code=code, redirect_uri=redirect_uri)
    token = long_lived_exchange(short)
    info = token_check(token)
    if not info.is_valid:
        raise PermanentError("Meta says the new token is not valid", provider=PROVIDER)
    return account_grant(token, kind="user", account="", expires_at=info.expires_at)


def key_connect(*, token: str, account: str) -> AccountGrant:
    """Connect a system-user token to the ad account named by `account` (act_...)."""
    if account and not account.startswith("act_"):
        raise PermanentError("--account must be an ad account id (act_...)", provider=PROVIDER)
    info = token_check(token)
    if not info.is_valid:
        raise PermanentError("Meta says this token is not valid", provider=PROVIDER)
    return account_grant(token, kind="system_user", account=account, expires_at=info.expires_at)


def account_grant(
    token: str, *, kind: str, account: str, expires_at: datetime | None
) -> AccountGrant:
    """Pick the ad account (the named one, or the first), the first Page and its Instagram."""
    client = MetaClient(token)
    accounts = client.ad_accounts()
    chosen = next((a for a in accounts if a.act_id == account), None) if account else None
    chosen = chosen or (None if account else (accounts[0] if accounts else None))
    if chosen is None:
        raise PermanentError("the token reaches no such ad account", provider=PROVIDER)
    options: dict[str, Any] = {
        "ad_account_id": chosen.act_id,
        "currency": chosen.currency,
        "time_zone": chosen.time_zone,
        "ad_accounts": [{"id": a.act_id, "name": a.name} for a in accounts],
    }
    secret: dict[str, Any] = {"kind": kind, "access_token": token}
    _choose_page(client, options, secret)
    return AccountGrant(chosen.act_id, chosen.name, secret, expires_at, options)


def _choose_page(client: MetaClient, options: dict[str, Any], secret: dict[str, Any]) -> None:
    """Add the first Page (token sealed in `secret`) and its Instagram account to `options`."""
    pages = client.pages_of_user()
    if not pages:
        return
    page = pages[0]
    options["page_id"], options["page_name"] = page.page_id, page.name
    options["pages"] = [{"id": p.page_id, "name": p.name} for p in pages]
    secret["page_access_token"] = page.access_token
    ig_user_id = MetaClient(page.access_token).instagram_account(page.page_id)
    if ig_user_id:
        options["ig_user_id"] = ig_user_id
