"""proposal_create: validation, payload hash, pending or blocked."""

import pytest
from django.contrib.auth.models import User

from proposals.creation import ProposalInvalid, payload_hash
from proposals.models import ProposalStatus
from tests.proposals.factories import budget_proposal, campaign_with_data

pytestmark = pytest.mark.django_db


def test_a_budget_change_within_the_guardrails_is_stored_pending(operator: User) -> None:
    proposal = budget_proposal(campaign_with_data(), 12_000, by=operator)
    assert proposal.status == ProposalStatus.PENDING
    assert proposal.platform == "meta"
    assert proposal.currency == "USD"
    assert proposal.payload_hash == payload_hash(proposal.payload())


def test_a_budget_in_a_float_is_refused(operator: User) -> None:
    with pytest.raises(ProposalInvalid):
        budget_proposal(campaign_with_data(), 12_000.5, by=operator)  # type: ignore[arg-type]


def test_a_manual_proposal_without_its_author_is_refused() -> None:
    with pytest.raises(ProposalInvalid):
        budget_proposal(campaign_with_data(), 12_000, by=None)  # type: ignore[arg-type]
