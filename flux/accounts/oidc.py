"""Staff sign-in through OpenID Connect, with the id-token checks allauth leaves out.

allauth's openid_connect provider checks the id token's issuer (against discovery),
audience and expiry, but it neither sends a `nonce` nor checks one. `StaffOIDCProvider`
adds both: the nonce is an HMAC of the allauth state id (random, kept in the session and
popped at the callback), so an id token only completes the sign-in it was issued for.

Accounts are keyed on issuer + subject. allauth stores a SocialAccount under
(provider, uid), where provider is the app's provider_id ("staff-sso") and uid is `sub`.
One provider_id is bound to one server URL, and `check_id_token` insists that `iss` equals
that URL (and that userinfo speaks of the same `sub`), so (provider_id, uid) names exactly
one (issuer, subject). The verified claims, `iss` included, stay in SocialAccount.extra_data.
"""

import hmac
from typing import Any

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.utils import get_request_param
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

NONCE_SALT = "flux.accounts.oidc.nonce"
WELL_KNOWN = "/.well-known/openid-configuration"


def nonce_for(state_id: str) -> str:
    """Derive the nonce bound to one allauth state id."""
    return salted_hmac(NONCE_SALT, state_id, algorithm="sha256").hexdigest()


def issuer_of(server_url: str) -> str:
    """Return the issuer a configured server URL stands for."""
    return server_url.split(WELL_KNOWN)[0].rstrip("/")


def check_id_token(response: dict[str, Any], *, issuer: str, nonce: str) -> None:
    """Refuse the sign-in unless the id token is ours, for this issuer, about the same subject."""
    claims = response.get("id_token")
    if not isinstance(claims, dict):
        raise OAuth2Error("The identity provider sent no id token.")
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OAuth2Error("The id token's nonce does not match this sign-in.")
    if claims.get("iss") != issuer:
        raise OAuth2Error("The id token comes from another issuer.")
    userinfo = response.get("userinfo")
    if isinstance(userinfo, dict) and userinfo.get("sub") != claims.get("sub"):
        raise OAuth2Error("Userinfo and the id token name different subjects.")


class StaffOIDCProvider(OpenIDConnectProvider):
    """The generic OpenID Connect provider, plus a nonce bound to the sign-in's state."""

    def redirect(
        self,
        request: HttpRequest,
        process: str,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> HttpResponse:
        state_id = get_adapter(request).generate_state_param({})
        auth_params = dict(kwargs.pop("auth_params", None) or self.get_auth_params())
        auth_params["nonce"] = nonce_for(state_id)
        return super().redirect(  # type: ignore[no-any-return]
            request, process, next_url, data, auth_params=auth_params, state_id=state_id, **kwargs
        )

    def sociallogin_from_response(self, request: HttpRequest, response: dict[str, Any]) -> Any:
        # The callback view has already matched `state` against the session.
        state_id = get_request_param(request, "state") or ""
        issuer = issuer_of(self.app.settings["server_url"])
        check_id_token(response, issuer=issuer, nonce=nonce_for(state_id))
        return super().sociallogin_from_response(request, response)
