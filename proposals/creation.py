"""Store a proposal: validate its typed diff, hash its payload, check every guardrail.

This is the one way rules, the agent and people create proposals. It reads nothing from the
platforms itself: the caller passes the current value it read when it made the proposal.
"""

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from flux.audit.actions import audit_record
from integrations.models import Campaign
from proposals.guardrails import guardrail_violations
from proposals.models import (
    CAMPAIGN_STATUSES,
    AICall,
    Proposal,
    ProposalKind,
    ProposalSource,
    ProposalStatus,
    Rule,
)

PAGE_FIELDS = frozenset({"title", "meta_description", "headings", "copy"})
FIELD_FOR_KIND: dict[str, str] = {
    ProposalKind.BUDGET: "daily_budget",
    ProposalKind.PAUSE: "status",
    ProposalKind.RESUME: "status",
    ProposalKind.SOCIAL_POST: "post",
}
STATUS_FOR_KIND = {ProposalKind.PAUSE: "PAUSED", ProposalKind.RESUME: "ACTIVE"}


class ProposalInvalid(ValueError):
    """The proposal's diff does not fit its kind (a caller's bug, not a guardrail)."""


def payload_hash(payload: dict[str, Any]) -> str:
    """Return the SHA-256 of the canonical JSON of a proposal payload."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def proposal_create(
    *,
    kind: str,
    source: str,
    field: str,
    current_value: Any,
    proposed_value: Any,
    rationale: str,
    evidence: dict[str, Any],
    assumptions: dict[str, Any],
    expected_impact: str,
    confidence: float | Decimal,
    campaign: Campaign | None = None,
    page_url: str = "",
    platform: str = "",
    target_label: str = "",
    rule: Rule | None = None,
    ai_call: AICall | None = None,
    created_by: User | None = None,
) -> Proposal:
    """Store a proposal as pending, or as blocked with the guardrails' reasons."""
    proposal = Proposal(
        kind=kind,
        source=source,
        platform=platform or (campaign.platform if campaign else ""),
        campaign=campaign,
        page_url=page_url,
        target_label=target_label or (campaign.name if campaign else page_url),
        field=field,
        current_value=current_value,
        proposed_value=proposed_value,
        currency=campaign.currency if campaign and kind == ProposalKind.BUDGET else "",
        rationale=rationale,
        evidence=evidence,
        assumptions=assumptions,
        expected_impact=expected_impact,
        confidence=Decimal(str(confidence)).quantize(Decimal("0.01")),
        rule=rule,
        ai_call=ai_call,
        created_by=created_by,
    )
    _validate(proposal)
    return _store(proposal)


def _store(proposal: Proposal) -> Proposal:
    reasons = guardrail_violations(
        kind=proposal.kind,
        campaign=proposal.campaign,
        current_value=proposal.current_value,
        proposed_value=proposal.proposed_value,
    )
    proposal.status = ProposalStatus.BLOCKED if reasons else ProposalStatus.PENDING
    proposal.blocked_reason = " ".join(reasons)
    proposal.payload_hash = payload_hash(proposal.payload())
    with transaction.atomic():
        proposal.save()
        audit_record(
            actor=proposal.created_by or f"proposals:{proposal.source}",
            action="proposal.create",
            target=proposal,
            after={"status": proposal.status, "reason": proposal.blocked_reason},
        )
    return proposal


def _validate(proposal: Proposal) -> None:
    """Refuse a diff that does not fit its kind, its source or its target."""
    _validate_source(proposal)
    if proposal.kind in FIELD_FOR_KIND and proposal.field != FIELD_FOR_KIND[proposal.kind]:
        raise ProposalInvalid(f"a {proposal.kind} proposal changes {FIELD_FOR_KIND[proposal.kind]}")
    if not Decimal(0) <= proposal.confidence <= Decimal(1):
        raise ProposalInvalid("confidence is between 0 and 1")
    if proposal.is_campaign_change:
        _validate_campaign_change(proposal)
    elif proposal.kind == ProposalKind.PAGE_CONTENT:
        _validate_page_change(proposal)
    elif proposal.kind != ProposalKind.SOCIAL_POST:
        raise ProposalInvalid(f"unknown proposal kind {proposal.kind!r}")


def _validate_source(proposal: Proposal) -> None:
    if proposal.source == ProposalSource.RULE and proposal.rule is None:
        raise ProposalInvalid("a rule's proposal names its rule")
    if proposal.source == ProposalSource.AI and proposal.ai_call is None:
        raise ProposalInvalid("an AI proposal names its AI call")
    if proposal.source == ProposalSource.MANUAL and proposal.created_by is None:
        raise ProposalInvalid("a manual proposal names the person who made it")
    if proposal.source not in ProposalSource.values:
        raise ProposalInvalid(f"unknown source {proposal.source!r}")


def _validate_campaign_change(proposal: Proposal) -> None:
    if proposal.campaign is None:
        raise ProposalInvalid("a campaign change needs its campaign")
    if proposal.kind == ProposalKind.BUDGET:
        _require_positive_int(proposal.current_value, "current daily budget")
        _require_positive_int(proposal.proposed_value, "proposed daily budget")
        return
    if proposal.current_value not in CAMPAIGN_STATUSES:
        raise ProposalInvalid(f"a campaign status is one of {sorted(CAMPAIGN_STATUSES)}")
    wanted = STATUS_FOR_KIND[ProposalKind(proposal.kind)]
    if proposal.proposed_value != wanted:
        raise ProposalInvalid(f"a {proposal.kind} proposal sets the status to {wanted}")


def _validate_page_change(proposal: Proposal) -> None:
    if not proposal.page_url:
        raise ProposalInvalid("a page-content change needs its page URL")
    if proposal.field not in PAGE_FIELDS:
        raise ProposalInvalid(f"a page field is one of {sorted(PAGE_FIELDS)}")
    if not isinstance(proposal.proposed_value, str) or not proposal.proposed_value.strip():
        raise ProposalInvalid("page content is a non-empty text")


def _require_positive_int(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ProposalInvalid(f"the {name} is a positive whole number of minor units")
