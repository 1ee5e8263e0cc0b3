"""The AI call log: the calls with totals by day and month, one call's prompt and output, a run."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from flux.accounts.roles import Role, has_role, role_required
from proposals.agent import selectors
from proposals.agent.tasks import agent_run_enqueue
from proposals.guardrails import ai_spend_cap, ai_spend_this_month

PAGE_SIZE = 50


def _usd(micro_usd: int) -> Decimal:
    return (Decimal(micro_usd) / 1_000_000).quantize(Decimal("0.01"))


@role_required(Role.VIEWER)
def call_list(request: HttpRequest) -> HttpResponse:
    """List the calls, newest first, with totals by day and by month."""
    page = Paginator(selectors.calls_recent(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "proposals/agent/calls.html",
        {
            "tab": "ai",
            "page": page,
            "totals": [
                ("By day (UTC)", selectors.call_totals_by_day()),
                ("By month (UTC)", selectors.call_totals_by_month()),
            ],
            "spent_usd": _usd(ai_spend_this_month()),
            "cap_usd": _usd(ai_spend_cap()),
            "can_run": has_role(request.user, Role.OPERATOR),
        },
    )


@role_required(Role.VIEWER)
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one call: its prompt, output, tool calls, rejections, attempts and proposals."""
    call = get_object_or_404(selectors.calls_recent(), pk=pk)
    proposals = call.proposals.order_by("pk")
    return render(
        request, "proposals/agent/call.html", {"tab": "ai", "call": call, "proposals": proposals}
    )


@require_POST
@role_required(Role.OPERATOR)
def run_now(request: HttpRequest) -> HttpResponse:
    """Queue one agent run, started by this operator."""
    user = request.user if isinstance(request.user, User) else None
    agent_run_enqueue(user=user)
    messages.success(request, "The agent run is queued; its call appears here when it finishes.")
    return redirect("proposals:ai_calls")
