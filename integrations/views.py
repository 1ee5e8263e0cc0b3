"""The connections page: connect, reconnect, sync now, disconnect, and watch runs."""

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from flux.accounts.roles import Role, role_required
from flux.htmx import HtmxHttpRequest
from integrations import oauth_views
from integrations.connections import connection_connect, connection_revoke
from integrations.forms import KeyConnectForm
from integrations.http import ProviderError
from integrations.models import Connection, SyncRun, SyncStatus
from integrations.providers import UnknownProvider, registry
from integrations.tasks import sync_connection

RECENT_RUNS = 15


@require_GET
def index(request: HtmxHttpRequest) -> HttpResponse:
    """List connections, what can be connected, and the latest sync runs."""
    context = {
        "connections": Connection.objects.select_related("credential"),
        "providers": [registry.get(name) for name in registry.names()],
        "key_form": KeyConnectForm(),
        **_runs_context(),
    }
    template = "integrations/index.html#runs" if request.htmx else "integrations/index.html"
    return render(request, template, context)


@require_GET
def detail(request: HttpRequest, connection_id: int) -> HttpResponse:
    """Show one connection and its run history."""
    connection = get_object_or_404(Connection, pk=connection_id)
    runs = connection.runs.all()[:100]
    return render(request, "integrations/detail.html", {"connection": connection, "runs": runs})


@require_POST
@role_required(Role.ADMIN)
def connect_key(request: HttpRequest, provider: str) -> HttpResponse:
    """Connect (or reconnect) an account with a key the admin pasted."""
    try:
        adapter = registry.get(provider)
    except UnknownProvider:
        return HttpResponseBadRequest("Unknown provider.")
    form = KeyConnectForm(request.POST)
    if not adapter.connects_by_key or not form.is_valid():
        messages.error(request, f"{adapter.label}: enter a key to connect.")
        return redirect("integrations:index")
    try:
        grant = adapter.connect_with_key(
            api_key=form.cleaned_data["api_key"], account=form.cleaned_data["account"]
        )
    except ProviderError as error:
        messages.error(request, f"{adapter.label} refused the key: {error}")
        return redirect("integrations:index")
    connection = connection_connect(provider=provider, grant=grant, actor=request.user)
    messages.success(request, f"Connected {connection}.")
    return redirect("integrations:index")


oauth_start = oauth_views.start


@require_POST
@role_required(Role.ADMIN)
def sync_now(request: HttpRequest, connection_id: int) -> HttpResponse:
    """Queue a sync of every stream of the connection."""
    connection = get_object_or_404(Connection, pk=connection_id)
    if not connection.is_fetchable:
        messages.error(request, f"{connection} is {connection.get_status_display().lower()}.")
        return redirect("integrations:index")
    connection_id = connection.pk
    transaction.on_commit(lambda: sync_connection.delay(connection_id, trigger="manual"))
    messages.info(request, f"Sync of {connection} queued.")
    return redirect("integrations:index")


@require_POST
@role_required(Role.ADMIN)
def disconnect(request: HttpRequest, connection_id: int) -> HttpResponse:
    """Revoke the connection: fetching stops now, tokens are purged, history stays."""
    connection = get_object_or_404(Connection, pk=connection_id)
    connection_revoke(connection_id=connection.pk, actor=request.user)
    messages.success(
        request, f"Disconnected {connection}. Its history stays; its tokens are deleted."
    )
    return redirect("integrations:index")


def _runs_context() -> dict[str, object]:
    runs: QuerySet[SyncRun] = SyncRun.objects.select_related("connection")[:RECENT_RUNS]
    running = any(run.status == SyncStatus.RUNNING for run in runs)
    return {"runs": runs, "any_running": running}
