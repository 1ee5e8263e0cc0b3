"""Demo rules, seeded once the demo data is synced, and run once so proposals are waiting.

Thresholds fit the sandbox brand: Meta and Google Ads campaigns whose conversions settle for
about 28 to 30 days, so the conversion windows reach past the settling days (left out).
"""

from collections.abc import Callable
from typing import Any

from proposals.models import Rule
from proposals.rules.actions import rule_create
from proposals.rules.engine import rule_run

DEMO_RULES: tuple[dict[str, Any], ...] = (
    {
        "name": "Pause: CPA over 60 days > 3× the $30 target and spend over 7 days > $100",
        "description": "Stop campaigns that keep spending at three times the target CPA.",
        "conditions": [
            {"metric": "cpa", "window_days": 60, "op": "gt", "threshold": "90"},
            {"metric": "spend", "window_days": 7, "op": "gt", "threshold": "100"},
        ],
        "action": {"type": "pause", "pct": 0},
        "min_data": {"days": 14, "clicks": 200},
    },
    {
        "name": "Scale winners: ROAS over 60 days ≥ 2.5 and 100+ conversions → budget +15%",
        "description": "Give proven campaigns more budget, within the guardrails.",
        "conditions": [
            {"metric": "roas", "window_days": 60, "op": "gte", "threshold": "2.5"},
            {"metric": "conversions", "window_days": 60, "op": "gte", "threshold": "100"},
        ],
        "action": {"type": "budget_pct", "pct": 15},
        "min_data": {"days": 14, "clicks": 500},
    },
    {
        "name": "Resume: paused campaigns whose ROAS over 90 days ≥ 1.5",
        "description": "Bring back paused campaigns that paid for themselves.",
        "conditions": [{"metric": "roas", "window_days": 90, "op": "gte", "threshold": "1.5"}],
        "action": {"type": "resume", "pct": 0},
        "min_data": {"days": 14, "clicks": 200},
    },
    {
        "name": "Watch: CTR over 14 days < 1.2% with spend over 14 days > $200",
        "description": "Tell staff when a campaign's creative stops earning clicks.",
        "conditions": [
            {"metric": "ctr", "window_days": 14, "op": "lt", "threshold": "1.2"},
            {"metric": "spend", "window_days": 14, "op": "gt", "threshold": "200"},
        ],
        "action": {"type": "notify", "pct": 0},
        "min_data": {"days": 7, "clicks": 100},
    },
)


def rules_demo_seed(*, report: Callable[[str], None]) -> list[Rule]:
    """Create the demo rules that are missing, then run each once."""
    rules = [_rule(fields) for fields in DEMO_RULES]
    for rule in rules:
        run = rule_run(rule=rule)
        report(
            f"Rule {rule.name}: {len(run.proposals)} proposals, "
            f"{len(run.notifications)} notifications{f', error {run.error}' if run.error else ''}"
        )
    return rules


def _rule(fields: dict[str, Any]) -> Rule:
    existing = Rule.objects.filter(name=fields["name"]).first()
    return existing or rule_create(actor="seed_demo", fields=fields)
