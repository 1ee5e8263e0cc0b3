"""Turn a rule's match on a campaign into a proposal's typed diff, with its evidence.

A draft holds everything `proposal_create` takes. It is built from what the rule measured,
so its rationale names the rule and the values, and its evidence shows each condition and a
small daily series of the first condition's metric.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from integrations.google_ads.money import minor_digits
from integrations.models import Campaign
from proposals.models import ProposalKind, Rule
from proposals.rules.measure import DayRow, Measured, attribution_of, metric_value
from proposals.rules.spec import Action, ActionType, Metric, RuleSpec

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Draft:
    """A proposal not yet stored."""

    kind: str
    field: str
    current_value: Any
    proposed_value: Any
    rationale: str
    evidence: dict[str, Any]
    assumptions: dict[str, Any]
    expected_impact: str
    confidence: Decimal

    def create_kwargs(self) -> dict[str, Any]:
        """Return the draft as keyword arguments for proposal_create."""
        return {
            "kind": self.kind, "field": self.field, "current_value": self.current_value,
            "proposed_value": self.proposed_value, "rationale": self.rationale,
            "evidence": self.evidence, "assumptions": self.assumptions,
            "expected_impact": self.expected_impact, "confidence": self.confidence,
        }  # fmt: skip


@dataclass(frozen=True)
class Match:
    """What a rule measured on one campaign that matched it."""

    rule: Rule
    spec: RuleSpec
    campaign: Campaign
    measured: tuple[Measured, ...]
    rows: tuple[DayRow, ...]  # the rule's longest window
    end: date


def budget_target(current_minor: int, pct: int) -> int:
    """Return the budget changed by `pct` percent, rounded to the currency's minor unit."""
    exact = Decimal(current_minor) * (HUNDRED + pct) / HUNDRED
    return max(1, int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def diff_for(action: Action, campaign: Campaign) -> tuple[str, str, Any, Any] | str:
    """Return (kind, field, current, proposed) for the action, or why it does not apply."""
    if action.type is ActionType.PAUSE:
        if campaign.status != "ACTIVE":
            return f"The campaign is {campaign.status}, not ACTIVE: nothing to pause."
        return ProposalKind.PAUSE, "status", "ACTIVE", "PAUSED"
    if action.type is ActionType.RESUME:
        if campaign.status != "PAUSED":
            return f"The campaign is {campaign.status}, not PAUSED: nothing to resume."
        return ProposalKind.RESUME, "status", "PAUSED", "ACTIVE"
    if campaign.status != "ACTIVE" or not campaign.daily_budget:
        return "Only an active campaign with a daily budget of its own gets a budget change."
    target = budget_target(campaign.daily_budget, action.pct)
    return ProposalKind.BUDGET, "daily_budget", campaign.daily_budget, target


def draft_build(match: Match, diff: tuple[str, str, Any, Any]) -> Draft:
    """Build the proposal a matched rule makes on a campaign."""
    kind, field, current, proposed = diff
    return Draft(
        kind=kind, field=field, current_value=current, proposed_value=proposed,
        rationale=rationale_for(match),
        evidence=evidence_for(match),
        assumptions=assumptions_for(match),
        expected_impact=impact_for(match, kind, current, proposed),
        confidence=confidence_for(match),
    )  # fmt: skip


def rationale_for(match: Match) -> str:
    """Name the rule, the values it measured and what it proposes."""
    found = " and ".join(measured_text(m, match.campaign.currency) for m in match.measured)
    action = match.spec.action.describe()
    return (
        f'Rule "{match.rule.name}" matched {match.campaign.name}: {found}. It proposes to {action}.'
    )


def measured_text(measured: Measured, currency: str) -> str:
    """Say one measured condition, e.g. "CPA over 28 days is 45.12 USD (> 40.00 USD)"."""
    condition = measured.condition
    value = value_text(condition.metric, measured.value, currency)
    threshold = value_text(condition.metric, condition.threshold, currency)
    name = f"{condition.metric.label} over {condition.window_days} days"
    return f"{name} is {value} ({condition.op.symbol} {threshold})"


def value_text(metric: Metric, value: Decimal | None, currency: str) -> str:
    """Format a metric value for people."""
    if value is None:
        return "undefined (nothing to divide by)"
    if value.is_infinite():
        return "unbounded (spend with no results)"
    if metric.unit == "money":
        return money_text(value, currency)
    if metric.unit == "percent":
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"
    if metric.unit in ("ratio", "decimal"):
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"
    return f"{int(value):,}"


def money_text(major: Decimal, currency: str) -> str:
    """Format an amount in major units with the currency's own number of decimals."""
    places = Decimal(1).scaleb(-minor_digits(currency))
    return f"{major.quantize(places, rounding=ROUND_HALF_UP):,} {currency}"


def minor_text(minor: int, currency: str) -> str:
    """Format an amount in minor units."""
    return money_text(Decimal(minor).scaleb(-minor_digits(currency)), currency)


def evidence_for(match: Match) -> dict[str, Any]:
    """Return each condition's metric, window and value, and a daily series of the first."""
    return {
        "rule": {"id": match.rule.pk, "name": match.rule.name},
        "window_end": match.end.isoformat(),
        "metrics": [_metric_evidence(m, match.campaign.currency) for m in match.measured],
        "chart": _chart(match.measured[0]),
    }


def _metric_evidence(measured: Measured, currency: str) -> dict[str, Any]:
    condition = measured.condition
    return {
        "name": condition.metric.value, "label": condition.metric.label,
        "window_days": condition.window_days, "op": condition.op.symbol,
        "threshold": str(condition.threshold), "value": _json_number(measured.value),
        "display": value_text(condition.metric, measured.value, currency),
        "unit": condition.metric.unit, "days_counted": measured.days_counted,
        "settling_left_out": measured.settling_left_out,
    }  # fmt: skip


def _json_number(value: Decimal | None) -> str | None:
    """Keep a Decimal exact in JSON (as a string, rounded to 6 places)."""
    if value is None:
        return None
    if value.is_infinite():
        return "Infinity"
    return format(value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP).normalize(), "f")


def _chart(measured: Measured) -> dict[str, Any]:
    """Return the daily series for a small chart (numbers for drawing only, not for sums)."""
    data = [
        None if v is None or v.is_infinite() else round(float(v), 4) for _, v in measured.series
    ]
    return {
        "labels": [d.isoformat() for d, _ in measured.series],
        "series": [{"name": measured.condition.metric.label, "data": data}],
    }


def assumptions_for(match: Match) -> dict[str, Any]:
    """Record the attribution the platform reported and which days were left out."""
    left_out = max((m.settling_left_out for m in match.measured), default=0)
    return {
        "attribution_window": attribution_of(match.rows),
        "settling_days_left_out": left_out,
        "settling_days_counted": match.spec.include_settling,
        "window": f"complete account-local days ending {match.end.isoformat()}",
    }


def impact_for(match: Match, kind: str, current: Any, proposed: Any) -> str:
    """Estimate the change from the averages over the rule's longest window."""
    days = max(len(match.rows), 1)
    spend = _per_day(Metric.SPEND, match.rows, days)
    currency = match.campaign.currency
    if kind == ProposalKind.PAUSE:
        counted = _counted(match)
        conversions = _per_day(Metric.CONVERSIONS, counted, max(len(counted), 1))
        return (
            f"Stops about {money_text(spend, currency)} a day of spend (average of {days} days) "
            f"and about {conversions.quantize(Decimal('0.01'))} conversions a day."
        )
    if kind == ProposalKind.RESUME:
        budget = match.campaign.daily_budget
        at = f" at its daily budget of {minor_text(budget, currency)}" if budget else ""
        return f"Restarts delivery{at}; spend and results return to what the budget allows."
    return _budget_impact(match, int(current), int(proposed))


def _budget_impact(match: Match, current: int, proposed: int) -> str:
    currency = match.campaign.currency
    change = f"Daily budget {minor_text(current, currency)} → {minor_text(proposed, currency)}"
    roas = metric_value(Metric.ROAS, _counted(match))
    if roas is None:
        return f"{change}; no return measured yet to project from."
    delta = Decimal(proposed - current).scaleb(-minor_digits(currency)) * roas
    return (
        f"{change}. At the measured ROAS of {roas.quantize(Decimal('0.01'))}, about "
        f"{money_text(delta, currency)} a day of conversion value, if returns hold."
    )


def _counted(match: Match) -> list[DayRow]:
    """Return the rows conversion metrics count (settling days out unless the rule counts them)."""
    return [r for r in match.rows if match.spec.include_settling or not r.settling]


def _per_day(metric: Metric, rows: Sequence[DayRow], days: int) -> Decimal:
    return (metric_value(metric, rows) or Decimal(0)) / days


def confidence_for(match: Match) -> Decimal:
    """Score 0.4-0.9 from how complete the window is and how many clicks back it."""
    coverage = Decimal(len(match.rows)) / match.spec.longest_window
    clicks = min(Decimal(sum(r.clicks for r in match.rows)) / 1000, Decimal(1))
    settled = Decimal(1) if not any(r.settling for r in match.rows) else Decimal("0.5")
    score = Decimal("0.4") + Decimal("0.25") * coverage + Decimal("0.15") * clicks
    return (score + Decimal("0.1") * settled).quantize(Decimal("0.01"))
