"""Celery entry points for the agent: thin shells around proposals.agent.run."""

from typing import Any

from celery import shared_task
from django.contrib.auth.models import User
from django.db import transaction

from proposals.agent.run import agent_run
from proposals.models import AICallTrigger

# Streams are bounded by FLUX_AI_TIMEOUT_SECONDS per attempt; a few attempts fit well inside.
AGENT_TIME_LIMIT = 15 * 60


@shared_task(time_limit=AGENT_TIME_LIMIT, soft_time_limit=AGENT_TIME_LIMIT - 60)
def agent_run_task(trigger: str = AICallTrigger.SCHEDULE, user_id: int | None = None) -> Any:
    """Run the agent once; return its summary (ids and counts only)."""
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    return agent_run(trigger=trigger, triggered_by=user).summary()


def agent_run_enqueue(*, user: User | None) -> None:
    """Queue a run started by hand, once the current transaction commits."""
    user_id = user.pk if user is not None else None
    transaction.on_commit(lambda: agent_run_task.delay(AICallTrigger.MANUAL, user_id))
