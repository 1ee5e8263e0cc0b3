"""Rules pages: everyone on staff reads and dry-runs; operators create, edit, enable and disable."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from flux.accounts.roles import Role, has_role, role_required
from proposals.models import Rule, RuleNotification
from proposals.rules.actions import rule_create, rule_enable, rule_update
from proposals.rules.engine import rule_dry_run
from proposals.rules.forms import RuleForm
from proposals.rules.presenters import dry_run_rows, rule_summary

NOTIFICATIONS_SHOWN = 20


def index(request: HttpRequest) -> HttpResponse:
    """List the rules and the latest notifications they left."""
    rules = Rule.objects.prefetch_related("scope_campaigns")
    notices = RuleNotification.objects.select_related("rule", "campaign")[:NOTIFICATIONS_SHOWN]
    return render(request, "proposals/rules/index.html", {
        "rules": [rule_summary(r) for r in rules], "notifications": notices,
        "can_edit": _can_edit(request),
    })  # fmt: skip


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one rule, its latest proposals and a dry run on current data."""
    rule = get_object_or_404(Rule, pk=pk)
    report = rule_dry_run(rule=rule)
    return render(request, "proposals/rules/detail.html", {
        "rule": rule_summary(rule), "report": report, "rows": dry_run_rows(report),
        "proposals": rule.proposals.select_related("campaign")[:20],
        "can_edit": _can_edit(request),
    })  # fmt: skip


@role_required(Role.OPERATOR)
def create(request: HttpRequest) -> HttpResponse:
    """Create a rule, or dry-run it before saving."""
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and "dry_run" not in request.POST:
        fields, campaigns = form.rule_fields(), list(form.cleaned_data["scope_campaigns"])
        rule = rule_create(actor=request.user, fields=fields, campaigns=campaigns)
        messages.success(request, f"Created the rule {rule.name}.")
        return redirect("proposals:rules:detail", pk=rule.pk)
    return _form_page(request, form, None)


@role_required(Role.OPERATOR)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a rule, or dry-run the edit before saving."""
    rule = get_object_or_404(Rule, pk=pk)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid() and "dry_run" not in request.POST:
        fields, campaigns = form.rule_fields(), list(form.cleaned_data["scope_campaigns"])
        rule = rule_update(actor=request.user, rule=rule, fields=fields, campaigns=campaigns)
        messages.success(request, f"Saved the rule {rule.name}.")
        return redirect("proposals:rules:detail", pk=rule.pk)
    return _form_page(request, form, Rule.objects.get(pk=pk))


def _form_page(request: HttpRequest, form: RuleForm, rule: Rule | None) -> HttpResponse:
    """Render the editor; a valid "Dry run" press shows what the unsaved rule would do."""
    report = None
    if request.method == "POST" and "dry_run" in request.POST and form.is_valid():
        trial = Rule(name=form.cleaned_data["name"])
        report = rule_dry_run(rule=trial, spec=form.spec())
    return render(request, "proposals/rules/form.html", {
        "form": form, "rule": rule, "report": report,
        "rows": dry_run_rows(report) if report else [],
    })  # fmt: skip


@require_POST
@role_required(Role.OPERATOR)
def enable(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    """Switch a rule on."""
    rule = rule_enable(actor=request.user, rule=get_object_or_404(Rule, pk=pk), enabled=True)
    messages.success(request, f"Enabled {rule.name}; it runs at its next scheduled time.")
    return redirect("proposals:rules:detail", pk=rule.pk)


@require_POST
@role_required(Role.OPERATOR)
def disable(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    """Switch a rule off."""
    rule = rule_enable(actor=request.user, rule=get_object_or_404(Rule, pk=pk), enabled=False)
    messages.success(request, f"Disabled {rule.name}.")
    return redirect("proposals:rules:detail", pk=rule.pk)


def _can_edit(request: HttpRequest) -> bool:
    return has_role(request.user, Role.OPERATOR)
