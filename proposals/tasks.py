"""Celery entry points for proposals: thin shells around proposals.execution and outcomes."""

from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from proposals.execution import RetryLater, execution_run
from proposals.models import Execution, ExecutionStatus
from proposals.outcomes import outcomes_measure

RETRY_SECONDS = 30


@shared_task(bind=True, time_limit=300, soft_time_limit=270, max_retries=5)
def execution_run_task(self: Task, execution_id: int) -> str:  # type: ignore[type-arg]
    """Run an execution; a transient platform error tries again later."""
    try:
        return execution_run(execution_id=execution_id).status
    except RetryLater as error:
        raise self.retry(countdown=RETRY_SECONDS) from error


@shared_task(time_limit=120, soft_time_limit=110)
def executions_recover_task() -> int:
    """Hand executions a lost worker left queued or running to a worker again."""
    cutoff = timezone.now() - timedelta(minutes=settings.FLUX_EXECUTION_RECOVER_MINUTES)
    stuck = Execution.objects.filter(
        status__in=[ExecutionStatus.QUEUED, ExecutionStatus.RUNNING], created_at__lte=cutoff
    ).values_list("pk", flat=True)
    for execution_id in stuck:
        execution_run_task.delay(execution_id)
    return len(stuck)


@shared_task(time_limit=600, soft_time_limit=570)
def outcomes_measure_task() -> int:
    """Measure the outcomes that are due."""
    return outcomes_measure()
