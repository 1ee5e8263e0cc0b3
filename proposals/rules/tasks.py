"""Celery entry point for the rules: a thin shell around rules_run_due."""

from celery import shared_task

from proposals.rules.runner import rules_run_due


@shared_task(time_limit=600, soft_time_limit=570)
def rules_run_due_task() -> int:
    """Run the rules that are due; return how many ran."""
    return len(rules_run_due())
