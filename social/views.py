"""Social pages: the post list, composer (with autosave), post page, calendar and Claude drafts.

Staff read; operators compose, submit, approve (never their own posts), schedule and move.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from flux.accounts.roles import Role, has_role, role_required
from proposals.approval import DecisionRefused
from proposals.models import Proposal
from social import calendar as grid
from social.approval import (
    PostInvalid,
    approval_refusal,
    awaiting_approval,
    post_approve,
    post_reject,
    post_schedule,
    post_submit,
)
from social.composing import post_create, post_reschedule, post_update
from social.drafts import DraftRefused, draft_problems, draft_to_post, drafts_open
from social.forms import DecisionForm, PostForm, RescheduleForm, brand_zone, initial_for
from social.models import Post, PostStatus
from social.selectors import post_insights, posts_listed
from social.validation import Problems, post_problems


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - the login gate guarantees it
    return request.user


def index(request: HttpRequest) -> HttpResponse:
    """List posts (by status) and Claude's open drafts."""
    status = request.GET.get("status", "")
    drafts = [(d, draft_problems(d.proposed_value, platform=d.platform)) for d in drafts_open()]
    return render(request, "social/index.html", {
        "posts": posts_listed(status if status in PostStatus.values else ""),
        "statuses": PostStatus.choices, "status": status, "drafts": drafts,
        "can_edit": has_role(request.user, Role.OPERATOR),
    })  # fmt: skip


@role_required(Role.OPERATOR)
def create(request: HttpRequest) -> HttpResponse:
    """Start a post."""
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        post = post_create(user=_user(request), fields=form.post_fields())
        return redirect("social:edit", pk=post.pk)
    return render(request, "social/compose.html", {"form": form, "post": None})


@role_required(Role.OPERATOR)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a post; "Check" or "Submit" validates it and shows errors beside the fields."""
    post = get_object_or_404(Post, pk=pk)
    autosave_url = reverse("social:autosave", args=[post.pk])
    form = PostForm(request.POST or None, initial=initial_for(post), autosave_url=autosave_url)
    if request.method == "POST" and form.is_valid():
        try:
            post = post_update(post=post, user=_user(request), fields=form.post_fields())
        except DecisionRefused as refused:
            messages.error(request, str(refused))
            return redirect("social:detail", pk=post.pk)
        return _after_save(request, post, _as_saved(request, form, post))
    return _compose(request, post, form)


def _as_saved(request: HttpRequest, form: PostForm, post: Post) -> PostForm:
    """Show the stored image: saving fills an empty one from the first product's."""
    if form.cleaned_data["image_urls"] == post.image_urls:
        return form
    data = request.POST.copy()
    data["image_urls"] = "\n".join(post.image_urls)
    saved = PostForm(data, autosave_url=reverse("social:autosave", args=[post.pk]))
    saved.is_valid()
    return saved


def _after_save(request: HttpRequest, post: Post, form: PostForm) -> HttpResponse:
    action = request.POST.get("action", "save")
    try:
        if action == "submit":
            post_submit(post=post, user=_user(request))
            messages.success(request, "Submitted for approval.")
            return redirect("social:detail", pk=post.pk)
        problems = post_problems(post) if action == "check" else {}
    except PostInvalid as invalid:
        problems = invalid.problems
    if action == "check" and not problems:
        messages.success(request, "Every channel's rules are met.")
    if action == "save":
        messages.success(request, "Saved.")
    return _compose(request, post, form, problems)


def _compose(
    request: HttpRequest, post: Post, form: PostForm, problems: Problems | None = None
) -> HttpResponse:
    _show_problems(form, problems or {})
    return render(request, "social/compose.html", {"form": form, "post": post})


def _show_problems(form: PostForm, problems: Problems) -> None:
    for field, found in problems.items():
        for message in found:
            form.add_error(None if field not in form.fields else field, message)


@require_POST
@role_required(Role.OPERATOR)
def autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the composer as it is typed (htmx) and answer with the quick checks."""
    post = get_object_or_404(Post, pk=pk)
    form = PostForm(request.POST)
    problems: Problems = {}
    if not post.is_editable:
        state = "locked"
    elif form.is_valid():
        post = post_update(post=post, user=_user(request), fields=form.post_fields(), autosave=True)
        state, problems = "saved", post_problems(post, quick=True)
    else:
        state = "invalid"
    return render(request, "social/compose.html#autosave", {
        "post": post, "state": state, "problems": problems, "saved_at": timezone.now(),
    })  # fmt: skip


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a post: its channels, approval, publishing record, links and insights."""
    post = get_object_or_404(Post.objects.select_related("author", "proposal"), pk=pk)
    user = _user(request)
    return render(request, "social/detail.html", {
        "post": post, "targets": post.targets.all(), "insights": post_insights(post),
        "awaiting": awaiting_approval(post), "approval_problem": approval_refusal(post),
        "can_edit": has_role(user, Role.OPERATOR),
        "can_decide": has_role(user, Role.OPERATOR) and post.author_id != user.pk,
        "decision_form": DecisionForm(), "approvals": _approvals(post),
    })  # fmt: skip


def _approvals(post: Post) -> list[object]:
    return list(post.proposal.approvals.select_related("decided_by")) if post.proposal else []


@require_POST
@role_required(Role.OPERATOR)
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Validate the post and ask for its approval."""
    post = get_object_or_404(Post, pk=pk)
    try:
        post_submit(post=post, user=_user(request))
    except PostInvalid as invalid:
        messages.error(request, f"Fix these first: {invalid}")
        return redirect("social:edit", pk=pk)
    except DecisionRefused as refused:
        messages.error(request, str(refused))
    return redirect("social:detail", pk=pk)


@require_POST
@role_required(Role.OPERATOR)
def decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approve or reject the post's pending approval request."""
    post = get_object_or_404(Post.objects.select_related("proposal"), pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if decision == "approve":
            post_approve(post=post, user=_user(request), note=note)
            messages.success(request, "Approved. Schedule it to publish at its time.")
        else:
            post_reject(post=post, user=_user(request), note=note)
            messages.info(request, "Rejected; the post stays a draft.")
    except PostInvalid as invalid:
        messages.error(request, f"Not approved: {invalid}")
    except DecisionRefused as refused:
        messages.error(request, str(refused))
    return redirect("social:detail", pk=pk)


@require_POST
@role_required(Role.OPERATOR)
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule an approved post."""
    post = get_object_or_404(Post.objects.select_related("proposal"), pk=pk)
    try:
        post_schedule(post=post, user=_user(request))
        messages.success(request, "Scheduled.")
    except DecisionRefused as refused:
        messages.error(request, str(refused))
    return redirect("social:detail", pk=pk)


@require_POST
@role_required(Role.OPERATOR)
def acknowledge(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    """Hide a failed post from the banner (it stays failed on its page)."""
    Post.objects.filter(pk=pk, failure_seen_at__isnull=True).update(failure_seen_at=timezone.now())
    return redirect(request.POST.get("next") or reverse("social:detail", args=[pk]))


def calendar(request: HttpRequest) -> HttpResponse:
    """Show the month or week of posts, draggable to another day or hour."""
    view = "week" if request.GET.get("view") == "week" else "month"
    anchor = _anchor(request.GET.get("date", ""))
    context: dict[str, object] = {
        "view": view, "anchor": anchor, "zone": brand_zone().key,
        "can_edit": has_role(request.user, Role.OPERATOR), "statuses": PostStatus.choices,
        **_steps(view, anchor),
    }  # fmt: skip
    if view == "week":
        context["days"], context["rows"] = grid.week_grid(anchor)
    else:
        context["weeks"] = grid.month_grid(anchor)
    return render(request, "social/calendar.html", context)


def _anchor(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return timezone.now().astimezone(brand_zone()).date()


def _steps(view: str, anchor: date) -> dict[str, date]:

    if view == "week":
        return {"previous": anchor - timedelta(days=7), "next": anchor + timedelta(days=7)}
    first = anchor.replace(day=1)
    return {"previous": (first - timedelta(days=1)).replace(day=1),
            "next": (first + timedelta(days=32)).replace(day=1)}  # fmt: skip


@require_POST
@role_required(Role.OPERATOR)
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a post to a dropped day (and hour); an approved post needs a fresh approval."""
    post = get_object_or_404(Post.objects.select_related("proposal"), pk=pk)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose a day.", status=400)
    when = grid.moved_time(post, form.cleaned_data["day"], form.cleaned_data["hour"])
    try:
        post, problems = post_reschedule(post=post, user=_user(request), when=when)
    except DecisionRefused as refused:
        messages.error(request, str(refused))
        return _refresh()
    _reschedule_message(request, post, problems)
    return _refresh()


def _reschedule_message(request: HttpRequest, post: Post, problems: Problems) -> None:
    if problems:
        found = "; ".join(m for ms in problems.values() for m in ms)
        messages.warning(request, f"Moved “{post}”; it is a draft again: {found}")
    elif awaiting_approval(post):
        messages.info(request, f"Moved “{post}”; it needs a fresh approval.")
    else:
        messages.success(request, f"Moved “{post}”.")


def _refresh() -> HttpResponse:
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"
    return response


@require_POST
@role_required(Role.OPERATOR)
def draft_edit(request: HttpRequest, proposal_pk: int) -> HttpResponse:
    """Turn one of Claude's post drafts into a post to edit."""
    proposal = get_object_or_404(Proposal, pk=proposal_pk)
    try:
        post = draft_to_post(proposal=proposal, user=_user(request))
    except DraftRefused as refused:
        messages.error(request, str(refused))
        return redirect("social:index")
    return redirect("social:edit", pk=post.pk)
