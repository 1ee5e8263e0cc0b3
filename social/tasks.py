"""Celery entry points for publishing: thin shells around social.publishing."""

from celery import shared_task

from social.publishing import post_publish, posts_due


@shared_task(time_limit=600, soft_time_limit=570, acks_late=True)
def post_publish_task(post_id: int) -> str:
    """Publish one post if it is due; a second run of a finished post does nothing."""
    return str(post_publish(post_id=post_id).status)


@shared_task(time_limit=120, soft_time_limit=110)
def posts_publish_due_task() -> int:
    """Queue every post that is due (or whose worker was lost)."""
    due = posts_due()
    for post_id in due:
        post_publish_task.delay(post_id)
    return len(due)
