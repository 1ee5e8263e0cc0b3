"""The OAuth connect flow every provider shares: start, then the public callback.

The state is random, single-use, bound to the signed-in admin's session, tied to one
provider and expires after ten minutes. It is removed from the session before the code is
exchanged, so a replayed callback finds nothing. A callback without a matching pending state
is refused before any token request is made.
"""

import logging
import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from flux.accounts.roles import Role, has_role, role_required
from integrations.connections import connection_connect
from integrations.http import ProviderError
from integrations.providers import UnknownProvider, registry

logger = logging.getLogger(__name__)

SESSION_KEY = "flux_oauth_pending"
STATE_LIFETIME_SECONDS = 600


def redirect_uri_for(provider: str) -> str:
    """Return the callback URL registered with the provider (on the public Funnel URL)."""
    return f"{settings.FLUX_PUBLIC_URL}/oauth/{provider}/callback"


@require_POST
@role_required(Role.ADMIN)
def start(request: HttpRequest, provider: str) -> HttpResponse:
    """Remember a fresh state for this session and send the browser to the consent screen."""
    try:
        adapter = registry.get(provider)
    except UnknownProvider:
        return HttpResponseBadRequest("Unknown provider.")
    if not adapter.connects_by_oauth:
        return HttpResponseBadRequest("This provider connects with a key, not OAuth.")
    state = secrets.token_urlsafe(32)
    begun = adapter.oauth_start(state=state, redirect_uri=redirect_uri_for(provider))
    pending = request.session.get(SESSION_KEY, {})
    pending[provider] = {
        "state": state,
        "verifier": begun.code_verifier,
        "expires": time.time() + STATE_LIFETIME_SECONDS,
        "origin": _origin(request),
    }
    request.session[SESSION_KEY] = pending
    return HttpResponseRedirect(begun.url)


@login_not_required
@require_GET
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    """Check the state, exchange the code and store the connection."""
    if provider not in registry.names():
        return HttpResponseBadRequest("Unknown provider.")
    if not request.user.is_authenticated or not has_role(request.user, Role.ADMIN):
        return HttpResponse("Sign in as an admin, then connect again.", status=403)
    pending = _take_pending(request, provider)
    if pending is None or not _state_matches(request, pending):
        return HttpResponseBadRequest("This connect link is invalid or expired. Start again.")
    if "error" in request.GET or not request.GET.get("code"):
        messages.error(request, f"{provider}: the platform did not grant access.")
        return _back_to_connections(request, pending)
    return _finish(request, provider, pending)


def _take_pending(request: HttpRequest, provider: str) -> dict[str, object] | None:
    all_pending = request.session.get(SESSION_KEY, {})
    pending = all_pending.pop(provider, None)
    request.session[SESSION_KEY] = all_pending  # single use: gone before anything else happens
    if not isinstance(pending, dict) or float(pending.get("expires", 0)) < time.time():
        return None
    return pending


def _state_matches(request: HttpRequest, pending: dict[str, object]) -> bool:
    given = request.GET.get("state", "")
    return secrets.compare_digest(given.encode(), str(pending["state"]).encode())


def _finish(request: HttpRequest, provider: str, pending: dict[str, object]) -> HttpResponse:
    adapter = registry.get(provider)
    try:
        grant = adapter.oauth_finish(
            code=request.GET["code"],
            redirect_uri=redirect_uri_for(provider),
            code_verifier=str(pending["verifier"] or ""),
        )
    except ProviderError as error:
        logger.warning("oauth exchange failed provider=%s error=%s", provider, error)
        messages.error(request, f"{adapter.label} refused the connection: {error}")
        return _back_to_connections(request, pending)
    connection = connection_connect(provider=provider, grant=grant, actor=request.user)
    messages.success(request, f"Connected {connection}.")
    return _back_to_connections(request, pending)


def _origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _back_to_connections(request: HttpRequest, pending: dict[str, object]) -> HttpResponse:
    """Return the admin to the connections page on the address they started from.

    The callback arrives on the public address (FLUX_PUBLIC_URL), where behind Tailscale
    Funnel only the public paths are served; the staff pages live on the tailnet address
    the connect began on. That origin was read from a checked Host header and kept in the
    session, so it cannot be chosen by whoever sends the browser here.
    """
    path = reverse("integrations:index")
    started_on = str(pending.get("origin") or "")
    if not started_on or started_on == _origin(request):
        return redirect(path)
    return HttpResponseRedirect(f"{started_on}{path}")
