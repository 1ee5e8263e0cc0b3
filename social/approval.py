"""Submit, approve, schedule and void posts through the proposals core's approval rules.

Submitting a post makes a social_post Proposal whose proposed_value is the post's content
(time included) and its content hash; the core binds the approval to that payload, makes it
expire after Guardrails.approval_expiry_hours and refuses it to whoever submitted it. This
module also refuses it to the post's author. An approval must be used (the post scheduled)
before it expires; the scheduled content is then locked. Any change to the content or the
time of an approved or scheduled post voids the approval (the proposal turns stale) and the
post goes back to draft, needing a fresh approval.
"""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from flux.audit.actions import audit_record
from proposals.approval import DecisionRefused, payload_unchanged, proposal_approve, proposal_reject
from proposals.creation import proposal_create
from proposals.models import (
    Approval,
    Decision,
    Proposal,
    ProposalKind,
    ProposalSource,
    ProposalStatus,
)
from social.content import content_hash
from social.models import ChannelStatus, Post, PostChannel, PostStatus
from social.validation import Probe, Problems, post_problems

OPEN_PROPOSAL = (ProposalStatus.PENDING, ProposalStatus.APPROVED)


class PostInvalid(Exception):
    """The post breaks a channel's rules; `problems` lists them by field."""

    def __init__(self, problems: Problems) -> None:
        super().__init__("; ".join(m for ms in problems.values() for m in ms))
        self.problems = problems


class PostRefused(DecisionRefused):
    """The step may not be taken now; the message says why."""


def post_payload(post: Post) -> dict[str, Any]:
    """Return what the approval proposal carries: the content, its hash and the post id."""
    content = post.content()
    return {**content, "post_id": post.pk, "content_hash": content_hash(content)}


def post_submit(*, post: Post, user: User, probe: Probe | None = None) -> Proposal:
    """Validate the post and ask for its approval (a social_post proposal)."""
    if post.status != PostStatus.DRAFT:
        raise PostRefused(f"This post is {post.get_status_display().lower()}.")
    _raise_problems(post, probe)
    if awaiting_approval(post):
        assert post.proposal is not None  # noqa: S101 - awaiting_approval checked it
        return post.proposal
    proposal = _proposal_for(post, user)
    if proposal.status == ProposalStatus.BLOCKED:
        raise PostInvalid({"__all__": [proposal.blocked_reason]})
    Post.objects.filter(pk=post.pk).update(proposal=proposal)
    post.proposal = proposal
    return proposal


def _raise_problems(post: Post, probe: Probe | None) -> None:
    problems = post_problems(post) if probe is None else post_problems(post, probe=probe)
    if problems:
        raise PostInvalid(problems)


def _proposal_for(post: Post, user: User) -> Proposal:
    draft = post.draft_proposal
    ai_call = draft.ai_call if draft is not None else None
    return proposal_create(
        kind=ProposalKind.SOCIAL_POST,
        source=ProposalSource.AI if ai_call else ProposalSource.MANUAL,
        field="post",
        current_value=None,
        proposed_value=post_payload(post),
        rationale=draft.rationale if draft else f"Publish “{post}” as written.",
        evidence=draft.evidence if draft else {},
        assumptions=draft.assumptions if draft else {},
        expected_impact=draft.expected_impact if draft else "",
        confidence=draft.confidence if draft else 1,
        platform=post.channel_list[0],
        target_label=f"Post: {post}"[:300],
        ai_call=ai_call,
        created_by=user,
    )


def awaiting_approval(post: Post) -> bool:
    """Say whether the post's current content waits for a decision."""
    proposal = post.proposal
    return (
        proposal is not None
        and proposal.status == ProposalStatus.PENDING
        and _bound(post, proposal)
    )


def _bound(post: Post, proposal: Proposal) -> bool:
    """Say whether the proposal carries exactly the post's present content."""
    value = proposal.proposed_value if isinstance(proposal.proposed_value, dict) else {}
    return value.get("content_hash") == content_hash(post.content())


def post_approve(*, post: Post, user: User, note: str = "", probe: Probe | None = None) -> Approval:
    """Approve the post's pending proposal, after checking every channel rule again."""
    proposal = post.proposal
    if proposal is None or not awaiting_approval(post):
        raise PostRefused("Submit the post for approval first.")
    if post.author_id == user.pk:
        raise PostRefused("The author of a post cannot approve it.")
    _raise_problems(post, probe)
    approval = proposal_approve(proposal=proposal, user=user, note=note)
    Post.objects.filter(pk=post.pk, status=PostStatus.DRAFT).update(status=PostStatus.APPROVED)
    post.status = PostStatus.APPROVED
    _audit(user, "approve", post, {"proposal": proposal.pk, "approval": approval.pk})
    return approval


def post_reject(*, post: Post, user: User, note: str = "") -> Approval:
    """Turn the post's pending proposal down; the post stays a draft."""
    if post.proposal is None or post.proposal.status != ProposalStatus.PENDING:
        raise PostRefused("This post has no pending approval request.")
    approval = proposal_reject(proposal=post.proposal, user=user, note=note)
    _audit(user, "reject", post, {"proposal": post.proposal.pk, "note": note})
    return approval


def approval_refusal(post: Post, *, now: datetime | None = None, fresh: bool = True) -> str:
    """Return why the post may not be scheduled or published on its approval (empty: it may)."""
    proposal = post.proposal
    if proposal is None or proposal.status != ProposalStatus.APPROVED:
        return "The post has no approval."
    approval = proposal.approvals.filter(decision=Decision.APPROVED).first()
    if approval is None or not payload_unchanged(proposal, approval):
        return "The approval does not match the approved proposal."
    if not _bound(post, proposal):
        return "The post changed after it was approved; the approval is void."
    if approval.decided_by_id == post.author_id:
        return "The author of a post cannot approve it."
    if fresh and approval.expires_at <= (now or timezone.now()):
        return f"The approval expired at {approval.expires_at:%Y-%m-%d %H:%M} UTC."
    return ""


def post_schedule(*, post: Post, user: User) -> Post:
    """Schedule an approved post: lock its content and queue it for its time."""
    # A draft whose proposal was approved from the proposals queue counts as approved too.
    if post.status not in (PostStatus.DRAFT, PostStatus.APPROVED):
        raise PostRefused(f"This post is {post.get_status_display().lower()}.")
    refusal = approval_refusal(post)
    if refusal:
        raise PostRefused(refusal)
    with transaction.atomic():
        claimed = Post.objects.filter(
            pk=post.pk, status__in=[PostStatus.DRAFT, PostStatus.APPROVED]
        ).update(status=PostStatus.SCHEDULED)
        if not claimed:
            raise PostRefused("Someone else changed this post first.")
        for channel in post.channel_list:
            PostChannel.objects.get_or_create(post=post, channel=channel)
        _audit(user, "schedule", post, {"scheduled_at": _iso(post.scheduled_at)})
    post.status = PostStatus.SCHEDULED
    _enqueue_if_due(post)
    return post


def _enqueue_if_due(post: Post) -> None:
    from social.tasks import post_publish_task  # tasks import the publishing workflow

    if post.scheduled_at is not None and post.scheduled_at <= timezone.now():
        post_id = post.pk
        transaction.on_commit(lambda: post_publish_task.delay(post_id))


def approval_void(*, post: Post, actor: User | str, reason: str) -> None:
    """Void the post's approval or pending request; the post goes back to draft."""
    proposal = post.proposal
    if proposal is None and post.status == PostStatus.DRAFT:
        return
    with transaction.atomic():
        if proposal is not None and proposal.status in OPEN_PROPOSAL:
            Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.STALE)
        post.targets.filter(status=ChannelStatus.PENDING).delete()
        Post.objects.filter(pk=post.pk).update(status=PostStatus.DRAFT, proposal=None)
        _audit(actor, "approval_void", post, {"reason": reason})
    post.status, post.proposal = PostStatus.DRAFT, None


def _audit(actor: User | str, verb: str, post: Post, after: dict[str, Any]) -> None:
    audit_record(actor=actor, action=f"social.post.{verb}", target=post, after=after)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
