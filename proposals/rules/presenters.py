"""Rules and dry-run results as the pages show them: plain words, money with its currency."""

from dataclasses import dataclass

from proposals.models import ProposalKind, Rule
from proposals.rules.drafts import minor_text, value_text
from proposals.rules.engine import CampaignResult, RunReport
from proposals.rules.spec import RuleSpecInvalid, rule_spec


@dataclass(frozen=True)
class RuleSummary:
    """A rule in words."""

    rule: Rule
    conditions: list[str]
    action: str
    min_data: str
    scope: str
    schedule: str
    error: str = ""


@dataclass(frozen=True)
class ConditionCell:
    label: str
    value: str
    met: bool
    days: str


@dataclass(frozen=True)
class DryRunRow:
    """One campaign in a dry run: its values per condition and the verdict."""

    result: CampaignResult
    verdict: str
    tone: str  # Bootstrap colour: success, danger, warning, secondary
    conditions: list[ConditionCell]
    change: str
    guardrails: tuple[str, ...]


def rule_summary(rule: Rule) -> RuleSummary:
    """Describe a rule; a rule whose JSON no longer parses says why."""
    scope = _scope(rule)
    schedule = f"cron “{rule.schedule}”" if rule.schedule else f"every {rule.interval_hours} h"
    try:
        spec = rule_spec(rule)
    except RuleSpecInvalid as error:
        return RuleSummary(rule, [], "", "", scope, schedule, error=str(error))
    md = spec.min_data
    return RuleSummary(
        rule=rule, conditions=[c.describe() for c in spec.conditions],
        action=spec.action.describe().capitalize(),
        min_data=f"{md.days} days and {md.clicks} clicks", scope=scope, schedule=schedule,
    )  # fmt: skip


def _scope(rule: Rule) -> str:
    platform = {"meta": "Meta", "google_ads": "Google Ads"}.get(rule.scope_platform, "Both")
    names = [c.name for c in rule.scope_campaigns.all()] if rule.pk else []
    return f"{platform}: {', '.join(names)}" if names else f"{platform}: every campaign"


def dry_run_rows(report: RunReport) -> list[DryRunRow]:
    """Return the dry run's campaigns, those the rule acts on first."""
    rows = [_row(r) for r in report.results]
    order = {"success": 0, "danger": 1, "warning": 2, "secondary": 3}
    return sorted(rows, key=lambda row: order[row.tone])


def _row(result: CampaignResult) -> DryRunRow:
    verdict, tone = _verdict(result)
    currency = result.campaign.currency
    cells = [
        ConditionCell(
            label=m.condition.describe(),
            value=value_text(m.condition.metric, m.value, currency), met=m.met,
            days=f"{m.days_counted} days" + (
                f", {m.settling_left_out} settling left out" if m.settling_left_out else ""
            ),
        )
        for m in result.match.measured
    ]  # fmt: skip
    return DryRunRow(result, verdict, tone, cells, _change(result), result.guardrails)


def _verdict(result: CampaignResult) -> tuple[str, str]:
    if not result.conditions_met:
        return "No match", "secondary"
    if result.shortfall:
        return result.shortfall, "secondary"
    if result.skipped:
        return f"Matched, skipped: {result.skipped}", "warning"
    if result.draft is None:
        return "Would notify staff", "success"
    if result.guardrails:
        return "Would be stored blocked by the guardrails", "danger"
    return "Would propose", "success"


def _change(result: CampaignResult) -> str:
    draft = result.draft
    if draft is None:
        return ""
    if draft.kind == ProposalKind.BUDGET:
        currency = result.campaign.currency
        before, after = (
            minor_text(draft.current_value, currency),
            minor_text(draft.proposed_value, currency),
        )
        return f"Daily budget {before} → {after}"
    return f"Status {draft.current_value} → {draft.proposed_value}"
