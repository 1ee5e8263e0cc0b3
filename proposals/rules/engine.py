"""Evaluate rules on synced campaign days; propose, notify, or (dry run) only say what they would.

`rule_evaluate` reads and writes nothing; `rule_dry_run` is it plus the guardrails' verdicts;
`rule_run` stores the proposals through `proposal_create` and leaves notifications.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from flux.audit.actions import audit_record
from integrations.models import Campaign
from proposals.creation import proposal_create
from proposals.guardrails import guardrail_violations
from proposals.models import Proposal, ProposalSource, ProposalStatus, Rule, RuleNotification
from proposals.rules.drafts import Draft, Match, diff_for, draft_build, measured_text
from proposals.rules.measure import (
    campaign_days,
    condition_measure,
    min_data_shortfall,
    window_end,
    window_start,
)
from proposals.rules.spec import ActionType, RuleSpec, RuleSpecInvalid, rule_spec

logger = logging.getLogger(__name__)
OPEN_STATUSES = (ProposalStatus.PENDING, ProposalStatus.APPROVED, ProposalStatus.EXECUTING)


@dataclass(frozen=True)
class CampaignResult:
    """What a rule found on one campaign, and what it would do about it."""

    match: Match
    shortfall: str = ""  # minimum data not reached
    skipped: str = ""  # matched, but there is a reason not to act
    draft: Draft | None = None
    guardrails: tuple[str, ...] = ()

    @property
    def campaign(self) -> Campaign:
        return self.match.campaign

    @property
    def conditions_met(self) -> bool:
        return all(m.met for m in self.match.measured)

    @property
    def matched(self) -> bool:
        """Say whether every condition holds on enough data."""
        return self.conditions_met and not self.shortfall

    @property
    def acts(self) -> bool:
        """Say whether the rule would propose or notify for this campaign."""
        return self.matched and not self.skipped


@dataclass
class RunReport:
    """What one run of a rule did."""

    rule: Rule
    results: list[CampaignResult] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    notifications: list[RuleNotification] = field(default_factory=list)
    error: str = ""


def campaigns_in_scope(spec: RuleSpec) -> QuerySet[Campaign]:
    """Return the live campaigns a rule looks at: its platform and its chosen campaigns."""
    campaigns = Campaign.objects.exclude(status="REMOVED").select_related("ad_account")
    if spec.scope_platform:
        campaigns = campaigns.filter(platform=spec.scope_platform)
    if spec.scope_campaign_ids:
        campaigns = campaigns.filter(pk__in=spec.scope_campaign_ids)
    return campaigns.order_by("platform", "name", "pk")


def rule_evaluate(*, rule: Rule, spec: RuleSpec, now: datetime) -> list[CampaignResult]:
    """Measure every campaign in scope and decide what the rule would do; writes nothing."""
    return [_evaluate_one(rule, spec, campaign, now) for campaign in campaigns_in_scope(spec)]


def _evaluate_one(rule: Rule, spec: RuleSpec, campaign: Campaign, now: datetime) -> CampaignResult:
    end = window_end(campaign, now)
    rows = campaign_days(campaign, start=window_start(end, spec.longest_window), end=end)
    measured = tuple(
        condition_measure(c, rows, end=end, include_settling=spec.include_settling)
        for c in spec.conditions
    )
    match = Match(rule, spec, campaign, measured, tuple(rows), end)
    result = CampaignResult(match, shortfall=min_data_shortfall(spec.min_data, rows))
    if not result.matched or spec.action.type is ActionType.NOTIFY:
        return result
    return _decide(result)


def _decide(result: CampaignResult) -> CampaignResult:
    """Turn a match into a draft proposal, unless there is a reason to leave the campaign be."""
    campaign = result.campaign
    open_one = Proposal.objects.filter(campaign=campaign, status__in=OPEN_STATUSES).first()
    if open_one is not None:
        reason = f"Proposal #{open_one.pk} ({open_one.get_status_display()}) is still open."
        return CampaignResult(result.match, skipped=reason)
    diff = diff_for(result.match.spec.action, campaign)
    if isinstance(diff, str):
        return CampaignResult(result.match, skipped=diff)
    return CampaignResult(result.match, draft=draft_build(result.match, diff))


def rule_dry_run(
    *, rule: Rule, spec: RuleSpec | None = None, now: datetime | None = None
) -> RunReport:
    """Say what the rule would do on current data, and what the guardrails would block.

    `spec` lets the editor try a rule before it is saved (then `rule` may be unsaved).
    """
    report = RunReport(rule=rule)
    try:
        spec = spec or rule_spec(rule)
    except RuleSpecInvalid as error:
        report.error = str(error)
        return report
    results = rule_evaluate(rule=rule, spec=spec, now=now or timezone.now())
    report.results = [_with_guardrails(r, now) for r in results]
    return report


def _with_guardrails(result: CampaignResult, now: datetime | None) -> CampaignResult:
    if result.draft is None:
        return result
    reasons = guardrail_violations(
        kind=result.draft.kind,
        campaign=result.campaign,
        current_value=result.draft.current_value,
        proposed_value=result.draft.proposed_value,
        now=now,
    )
    return CampaignResult(result.match, draft=result.draft, guardrails=tuple(reasons))


def rule_run(*, rule: Rule, now: datetime | None = None) -> RunReport:
    """Evaluate the rule and act: store its proposals (blocked ones too) or its notifications."""
    now = now or timezone.now()
    report = RunReport(rule=rule)
    Rule.objects.filter(pk=rule.pk).update(last_run_at=now)
    try:
        spec = rule_spec(rule)
    except RuleSpecInvalid as error:
        logger.warning("rule skipped rule_id=%s error=%s", rule.pk, error)
        report.error = str(error)
        return report
    report.results = rule_evaluate(rule=rule, spec=spec, now=now)
    for result in report.results:
        _act(report, result)
    logger.info(
        "rule ran rule_id=%s campaigns=%s proposals=%s notifications=%s", rule.pk,
        len(report.results), len(report.proposals), len(report.notifications),
    )  # fmt: skip
    return report


def _act(report: RunReport, result: CampaignResult) -> None:
    if result.draft is not None:
        proposal = proposal_create(
            source=ProposalSource.RULE, rule=report.rule, campaign=result.campaign,
            **result.draft.create_kwargs(),
        )  # fmt: skip
        report.proposals.append(proposal)
    elif result.acts and report.rule.action.get("type") == ActionType.NOTIFY:
        report.notifications.append(notification_create(rule=report.rule, result=result))


def notification_create(*, rule: Rule, result: CampaignResult) -> RuleNotification:
    """Leave a line in the staff notification list and an audit event for a notify rule."""
    currency = result.campaign.currency
    found = " and ".join(measured_text(m, currency) for m in result.match.measured)
    message = f'Rule "{rule.name}" on {result.campaign.name}: {found}.'
    with transaction.atomic():
        notice = RuleNotification.objects.create(
            rule=rule, campaign=result.campaign, message=message
        )
        audit_record(
            actor=f"rule:{rule.pk}", action="rule.notify", target=rule,
            after=_notify_audit(result, message),
        )  # fmt: skip
    return notice


def _notify_audit(result: CampaignResult, message: str) -> dict[str, Any]:
    values = [
        {"metric": m.condition.metric.value, "window_days": m.condition.window_days,
         "value": None if m.value is None else str(m.value)}
        for m in result.match.measured
    ]  # fmt: skip
    return {"campaign_id": result.campaign.pk, "message": message, "values": values}
