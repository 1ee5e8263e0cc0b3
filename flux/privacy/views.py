"""Public privacy pages, Meta's data-deletion callback and the staff view of deletion requests."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from flux.accounts.roles import Role, has_role, role_required
from flux.privacy.actions import (
    DeletionRequestNotOpen,
    DeletionSubject,
    deletion_request_create,
    deletion_request_process,
    deletion_request_reject,
    meta_deletion_request_open,
)
from flux.privacy.forms import DeletionRequestForm, RejectForm, StatusFilterForm
from flux.privacy.models import DeletionRequest, DeletionSource
from flux.privacy.policy import policy_rendered
from flux.privacy.ratelimit import deletion_form_attempt_allowed
from flux.privacy.signed_request import SignedRequestError, signed_request_parse

MAX_CALLBACK_BODY_BYTES = 16 * 1024
_CODE = re.compile(r"[A-Za-z0-9_-]{16,64}")


@login_not_required
@require_safe
def policy(request: HttpRequest) -> HttpResponse:
    """Render the privacy policy from PRIVACY.md."""
    return render(request, "privacy/policy.html", {"policy": policy_rendered()})


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def deletion(request: HttpRequest) -> HttpResponse:
    """Explain data deletion and take a request (rate-limited per client)."""
    if request.method != "POST":
        return _deletion_page(request, DeletionRequestForm())
    if not deletion_form_attempt_allowed(request):
        return _deletion_page(request, DeletionRequestForm(), status=429, rate_limited=True)
    form = DeletionRequestForm(request.POST)
    if not form.is_valid():
        return _deletion_page(request, form, status=400)
    created = deletion_request_create(
        source=DeletionSource.FORM, subject=form.subject(), note=form.cleaned_data["note"]
    )
    return render(request, "privacy/deletion_received.html", {"deletion": created})


def _deletion_page(
    request: HttpRequest,
    form: DeletionRequestForm,
    *,
    status: int = 200,
    rate_limited: bool = False,
) -> HttpResponse:
    context = {"form": form, "rate_limited": rate_limited, **_public_context()}
    return render(request, "privacy/deletion.html", context, status=status)


@login_not_required
@never_cache
@require_safe
def deletion_status(request: HttpRequest, code: str) -> HttpResponse:
    """Show a request's status and dates, and nothing about the person."""
    if _CODE.fullmatch(code) is None:
        raise Http404("No such deletion request.")
    found = get_object_or_404(DeletionRequest, code=code)
    context = {"deletion": found, **_public_context()}
    return render(request, "privacy/deletion_status.html", context)


def _public_context() -> dict[str, object]:
    return {
        "contact_email": settings.FLUX_CONTACT_EMAIL,
        "due_days": settings.FLUX_DELETION_DUE_DAYS,
    }


@login_not_required
@csrf_exempt
@never_cache
@require_POST
def meta_callback(request: HttpRequest) -> JsonResponse:
    """Answer Meta's data-deletion callback with the status URL and confirmation code."""
    try:
        raw = _signed_request_field(request)
        payload = signed_request_parse(raw, secret=settings.META_APP_SECRET)
    except SignedRequestError as error:
        return JsonResponse({"error": error.reason}, status=error.status)
    opened = meta_deletion_request_open(subject=DeletionSubject.from_meta_user_id(payload.user_id))
    status_path = reverse("privacy:deletion_status", args=[opened.code])
    url = f"{settings.FLUX_PUBLIC_URL}{status_path}"
    return JsonResponse({"url": url, "confirmation_code": opened.code})


def _body_size(request: HttpRequest) -> int:
    try:
        return len(request.body)
    except RequestDataTooBig as error:  # a body without Content-Length past Django's cap
        raise SignedRequestError(413, "request body is too large") from error


def _signed_request_field(request: HttpRequest) -> str:
    """Read the signed_request form field from a body of bounded size."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as error:
        raise SignedRequestError(400, "invalid Content-Length") from error
    if declared > MAX_CALLBACK_BODY_BYTES or _body_size(request) > MAX_CALLBACK_BODY_BYTES:
        raise SignedRequestError(413, "request body is too large")
    try:
        raw = request.POST.get("signed_request", "")
    except (SuspiciousOperation, MultiPartParserError, BadRequest) as error:
        raise SignedRequestError(400, "request body is not a form") from error
    if not raw:
        raise SignedRequestError(400, "signed_request is missing")
    return raw


@require_safe
def requests_list(request: HttpRequest) -> HttpResponse:
    """List deletion requests for staff, optionally filtered by status."""
    form = StatusFilterForm(request.GET)
    requests = DeletionRequest.objects.all()
    if form.is_valid() and form.cleaned_data["status"]:
        requests = requests.filter(status=form.cleaned_data["status"])
    context = {"form": form, "deletions": requests[:500], "now": timezone.now()}
    return render(request, "privacy/requests.html", context)


@require_safe
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one request to staff, with the process and reject actions for operators."""
    found = get_object_or_404(DeletionRequest, pk=pk)
    context = {
        "deletion": found,
        "now": timezone.now(),
        "can_act": has_role(request.user, Role.OPERATOR),
        "reject_form": RejectForm(),
    }
    return render(request, "privacy/request_detail.html", context)


@require_POST
@role_required(Role.OPERATOR)
def request_process(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase the subject's data with every registered eraser and close the request."""
    try:
        done = deletion_request_process(request_id=pk, actor=request.user)
    except DeletionRequestNotOpen:
        return _not_open(request, pk)
    messages.success(request, f"{done} completed: {sum(done.result.values())} rows erased.")
    return redirect("privacy:request_detail", pk=pk)


@require_POST
@role_required(Role.OPERATOR)
def request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the request without erasing, recording the reason."""
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason to reject the request.")
        return redirect("privacy:request_detail", pk=pk)
    try:
        deletion_request_reject(
            request_id=pk, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except DeletionRequestNotOpen:
        return _not_open(request, pk)
    messages.success(request, "The request was rejected.")
    return redirect("privacy:request_detail", pk=pk)


def _not_open(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(DeletionRequest, pk=pk)
    messages.error(request, "That request is already closed.")
    return redirect("privacy:request_detail", pk=pk)
