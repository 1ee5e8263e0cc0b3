"""The exceptions page: counts, filters, cases, CSV export and the staff actions on cases."""

import csv
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from flux.accounts.roles import Role, has_role, role_required
from flux.htmx import HtmxHttpRequest
from reconciliation import cases as actions
from reconciliation.forms import AssignForm, CaseFilterForm, CloseForm, DecideForm, NoteForm
from reconciliation.models import BUCKETS, Case, CaseStatus, LabelLink, OrderResult
from reconciliation.selectors import (
    case_age,
    case_label,
    cases_filtered,
    exception_counts,
    open_case_counts,
)

PAGE_SIZE = 50
CSV_COLUMNS = ("case", "item", "bucket", "flags", "age_business_days", "status", "owner", "opened")


@dataclass(frozen=True)
class CaseRow:
    """One line of the exceptions table (and of its CSV)."""

    case: Case
    item: str
    age_days: int

    def as_csv(self) -> list[str]:
        owner = self.case.owner.get_username() if self.case.owner else ""
        return [
            str(self.case.pk), self.item, self.case.bucket, " ".join(self.case.flags),
            str(self.age_days), self.case.status, owner, self.case.opened_at.isoformat(),
        ]  # fmt: skip


def _rows(cases: list[Case], now: datetime) -> list[CaseRow]:
    return [CaseRow(case, case_label(case), case_age(case, now)) for case in cases]


@role_required(Role.VIEWER)
def index(request: HtmxHttpRequest) -> HttpResponse:
    """List the exceptions with their counts, narrowed and sorted by the filters."""
    form = CaseFilterForm(request.GET or None)
    now = timezone.now()
    page = Paginator(cases_filtered(form.selected(), now=now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": _rows(list(page.object_list), now),
        "query": query.urlencode(),
        "counts": _counts(),
        "reconciled": OrderResult.objects.exists() or LabelLink.objects.exists(),
        "can_act": has_role(request.user, Role.OPERATOR),
    }
    template = "reconciliation/index.html#results" if request.htmx else "reconciliation/index.html"
    return render(request, template, context)


def _counts() -> list[tuple[str, int, int]]:
    """Return (bucket, items, open cases) for every bucket, in bucket order."""
    items, open_cases = exception_counts(), open_case_counts()
    return [(bucket, items.get(bucket, 0), open_cases.get(bucket, 0)) for bucket in BUCKETS]


@role_required(Role.VIEWER)
def export(request: HttpRequest) -> HttpResponse:
    """Return the filtered exceptions as CSV, the same columns the table shows."""
    form = CaseFilterForm(request.GET or None)
    now = timezone.now()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="exceptions.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in _rows(list(cases_filtered(form.selected(), now=now)), now):
        writer.writerow(row.as_csv())
    return response


@role_required(Role.VIEWER)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one case: its item, labels, notes and (to operators) the actions."""
    case = get_object_or_404(Case.objects.select_related("order", "label", "owner"), pk=pk)
    links = LabelLink.objects.select_related("label")
    labels = (
        links.filter(order_id=case.order_id) if case.order_id else links.filter(label=case.label)
    )
    context = {
        "case": case,
        "item": case_label(case),
        "age_days": case_age(case, timezone.now()),
        "result": OrderResult.objects.filter(order_id=case.order_id or 0).first(),
        "links": labels.order_by("label__object_created"),
        "notes": case.notes.select_related("author"),
        "can_act": has_role(request.user, Role.OPERATOR),
        "assign_form": AssignForm(initial={"owner": case.owner_id}),
        "note_form": NoteForm(),
        "close_form": CloseForm(),
    }
    return render(request, "reconciliation/case.html", context)


def _back(pk: int) -> HttpResponseRedirect:
    return redirect("reconciliation:case", pk=pk)


@require_POST
@role_required(Role.OPERATOR)
def case_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a case to an operator, or to nobody."""
    case = get_object_or_404(Case, pk=pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        actions.case_assign(case=case, owner=form.cleaned_data["owner"], actor=request.user)
        messages.success(request, "Owner saved.")
    return _back(pk)


@require_POST
@role_required(Role.OPERATOR)
def case_note_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a note to a case."""
    case = get_object_or_404(Case, pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        actions.case_note_add(case=case, text=form.cleaned_data["text"], author=request.user)  # type: ignore[arg-type]
        messages.success(request, "Note added.")
    return _back(pk)


@require_POST
@role_required(Role.OPERATOR)
def case_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve or ignore a case with a reason."""
    case = get_object_or_404(Case, pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the case is resolved or ignored.")
        return _back(pk)
    data = form.cleaned_data
    actions.case_close(case=case, status=data["status"], reason=data["reason"], actor=request.user)
    messages.success(request, f"Case {data['status']}.")
    return _back(pk)


@require_POST
@role_required(Role.OPERATOR)
def case_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a closed case."""
    case = get_object_or_404(Case, pk=pk)
    if case.status != CaseStatus.OPEN:
        actions.case_reopen(case=case, actor=request.user)
        messages.success(request, "Case reopened.")
    return _back(pk)


@require_POST
@role_required(Role.OPERATOR)
def match_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm or reject a probable match of the case's order."""
    case = get_object_or_404(Case, pk=pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.match_decide(
                case=case,
                label_id=data["label"],
                decision=data["decision"],
                actor=request.user,  # type: ignore[arg-type]
            )
        except (LabelLink.DoesNotExist, ValueError):
            messages.error(request, "That label is not a probable match of this order.")
            return _back(pk)
        messages.success(
            request, f"Match {data['decision']}ed; the next reconciliation applies it."
        )
    return _back(pk)
