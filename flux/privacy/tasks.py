"""Scheduled privacy work: flag deletion requests that passed their due date."""

from celery import shared_task

from flux.privacy.actions import deletion_requests_flag_overdue


@shared_task(time_limit=300, soft_time_limit=240)
def flag_overdue_deletion_requests() -> int:
    """Flag overdue deletion requests; return how many were newly flagged."""
    return deletion_requests_flag_overdue()
