"""Proposal pages: the queue, a proposal, its execution log, the guardrails, agent ROI.

Viewers read; operators decide, undo and tick to-dos; admins edit the guardrails.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flux.accounts.roles import Role, has_role, role_required
from flux.htmx import HtmxHttpRequest
from proposals import selectors
from proposals.approval import DecisionRefused, proposal_approve, proposal_reject
from proposals.execution import proposal_undo
from proposals.forms import DecisionForm, GuardrailsForm, QueueFilterForm
from proposals.guardrails import ai_spend_this_month, guardrails_update
from proposals.models import Guardrails, Proposal, ProposalStatus
from proposals.todos import todo_done, todo_undo

PAGE_SIZE = 50


@require_GET
@role_required(Role.VIEWER)
def index(request: HttpRequest) -> HttpResponse:
    """Show the proposal queue, filtered by kind, status and source."""
    form = QueueFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.proposals_queue(**{k: v for k, v in filters.items() if v})
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "proposals/index.html", {"form": form, "page": page})


@require_GET
@role_required(Role.VIEWER)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one proposal: its diff, evidence, decision, execution log and outcome."""
    proposal = get_object_or_404(_with_relations(), pk=pk)
    return render(request, "proposals/detail.html", _detail_context(request, proposal))


@require_GET
@role_required(Role.VIEWER)
def execution_log(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Return the execution log fragment (polled while an execution runs)."""
    proposal = get_object_or_404(_with_relations(), pk=pk)
    context = _detail_context(request, proposal)
    return render(request, "proposals/detail.html#execution_log", context)


def _with_relations() -> QuerySet[Proposal]:
    return Proposal.objects.select_related("campaign", "rule", "ai_call", "created_by")


def _detail_context(request: HttpRequest, proposal: Proposal) -> dict[str, object]:
    executions = proposal.executions.prefetch_related("attempts").order_by("created_at")
    running = proposal.status == ProposalStatus.EXECUTING or any(
        not e.is_finished for e in executions
    )
    return {
        "proposal": proposal,
        "chart": selectors.evidence_chart(proposal),
        "approvals": proposal.approvals.select_related("decided_by"),
        "executions": executions,
        "running": running,
        "outcomes": proposal.outcomes.all(),
        "todo": getattr(proposal, "todo", None),
        "can_operate": has_role(request.user, Role.OPERATOR),
        "form": DecisionForm(),
    }


def _act(
    request: HttpRequest, pk: int, action: Callable[[Proposal, User, str], object], done: str
) -> HttpResponse:
    """Run one operator action on a proposal and come back to its page."""
    proposal = get_object_or_404(Proposal, pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    assert isinstance(request.user, User)  # noqa: S101 - role_required admits signed-in users only
    try:
        action(proposal, request.user, note)
        messages.success(request, done)
    except DecisionRefused as refused:
        messages.error(request, str(refused))
    return redirect("proposals:detail", pk=pk)


@require_POST
@role_required(Role.OPERATOR)
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve the proposal (and start executing it)."""
    return _act(
        request, pk, lambda p, u, n: proposal_approve(proposal=p, user=u, note=n), "Approved."
    )


@require_POST
@role_required(Role.OPERATOR)
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Reject the proposal."""
    return _act(
        request, pk, lambda p, u, n: proposal_reject(proposal=p, user=u, note=n), "Rejected."
    )


@require_POST
@role_required(Role.OPERATOR)
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Restore the value the executed proposal replaced."""
    return _act(request, pk, lambda p, u, n: proposal_undo(proposal=p, user=u), "Undo started.")


@require_POST
@role_required(Role.OPERATOR)
def todo_mark_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the page change made."""
    return _act(request, pk, lambda p, u, n: todo_done(proposal=p, user=u), "Marked done.")


@require_POST
@role_required(Role.OPERATOR)
def todo_mark_undone(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the page change reverted."""
    return _act(request, pk, lambda p, u, n: todo_undo(proposal=p, user=u), "Marked undone.")


@require_http_methods(["GET", "POST"])
@role_required(Role.VIEWER)
def guardrails(request: HttpRequest) -> HttpResponse:
    """Show the guardrails; let an admin change them."""
    rails = Guardrails.current()
    can_edit = has_role(request.user, Role.ADMIN)
    form = GuardrailsForm(request.POST if request.method == "POST" else None, instance=rails)
    if request.method == "POST":
        if not can_edit:
            return HttpResponse("Only an admin may change the guardrails.", status=403)
        if form.is_valid():
            guardrails_update(rails=rails, changes=dict(form.cleaned_data), user=request.user)
            messages.success(request, "Guardrails saved.")
            return redirect("proposals:guardrails")
    context = {"form": form, "can_edit": can_edit, "rails": rails, "spent": ai_spend_this_month()}
    return render(request, "proposals/guardrails.html", context)


@require_GET
@role_required(Role.VIEWER)
def roi(request: HttpRequest) -> HttpResponse:
    """Show, per proposal kind and source, the AI cost, approval rate and measured outcome."""
    context = {
        "rows": selectors.agent_roi(),
        "unattributed": selectors.ai_calls_unattributed_micro_usd(),
    }
    return render(request, "proposals/roi.html", context)
