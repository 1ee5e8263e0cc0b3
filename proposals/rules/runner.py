"""Run every enabled rule that is due; the beat calls this every 15 minutes."""

import logging
from datetime import datetime

from django.utils import timezone

from proposals.models import Rule
from proposals.rules.engine import RunReport, rule_run
from proposals.rules.schedule import ScheduleInvalid, rule_is_due

logger = logging.getLogger(__name__)


def rules_run_due(*, now: datetime | None = None) -> list[RunReport]:
    """Run the rules that are due, each claimed first so two beats never run one twice."""
    now = now or timezone.now()
    reports = []
    for rule in Rule.objects.filter(enabled=True).order_by("pk"):
        if _due(rule, now) and _claim(rule, now):
            reports.append(_run(rule, now))
    return reports


def _due(rule: Rule, now: datetime) -> bool:
    try:
        return rule_is_due(rule, now)
    except ScheduleInvalid as error:
        logger.warning("rule schedule invalid rule_id=%s error=%s", rule.pk, error)
        return False


def _claim(rule: Rule, now: datetime) -> bool:
    """Move last_run_at from what we read to now; a zero row count means another run has it."""
    claimed = Rule.objects.filter(pk=rule.pk, last_run_at=rule.last_run_at).update(last_run_at=now)
    return claimed == 1


def _run(rule: Rule, now: datetime) -> RunReport:
    try:
        return rule_run(rule=rule, now=now)
    except Exception as error:  # one broken rule must not stop the others
        logger.exception("rule failed rule_id=%s", rule.pk)
        return RunReport(rule=rule, error=str(error))
