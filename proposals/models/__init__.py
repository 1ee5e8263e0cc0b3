"""Models of the proposals app: proposals, approvals, executions, outcomes, rules, AI calls."""

from proposals.models.ai import AICall, AICallStatus, AICallTrigger
from proposals.models.guardrails import Guardrails
from proposals.models.proposals import (
    CAMPAIGN_KINDS,
    CAMPAIGN_STATUSES,
    Approval,
    Decision,
    Execution,
    ExecutionAttempt,
    ExecutionDirection,
    ExecutionStatus,
    Outcome,
    Proposal,
    ProposalKind,
    ProposalSource,
    ProposalStatus,
    Todo,
    TodoState,
)
from proposals.models.rules import Rule, RuleNotification

__all__ = [
    "CAMPAIGN_KINDS",
    "CAMPAIGN_STATUSES",
    "AICall",
    "AICallStatus",
    "AICallTrigger",
    "Approval",
    "Decision",
    "Execution",
    "ExecutionAttempt",
    "ExecutionDirection",
    "ExecutionStatus",
    "Guardrails",
    "Outcome",
    "Proposal",
    "ProposalKind",
    "ProposalSource",
    "ProposalStatus",
    "Rule",
    "RuleNotification",
    "Todo",
    "TodoState",
]
