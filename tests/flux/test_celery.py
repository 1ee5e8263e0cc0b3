"""Celery is configured for safe, JSON-only, late-acknowledged work with one beat schedule."""

from django.conf import settings

from flux.celery import app


def test_only_json_is_accepted_and_produced():
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert app.conf.accept_content == ["json"]


def test_tasks_are_acknowledged_after_they_finish():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_visibility_timeout_outlasts_the_longest_retry_delay():
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > settings.FLUX_MAX_RETRY_DELAY
    assert visibility > app.conf.task_time_limit


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled
    assert scheduled <= set(app.tasks)


def test_no_task_has_a_soft_time_limit_above_its_hard_one():
    """Celery refuses to send such a task (beat's entries included) with a ValueError.

    A task that sets only time_limit inherits the 14-minute soft limit of the settings.
    """
    app.loader.import_default_modules()
    refused = [
        name
        for name, task in app.tasks.items()
        if task.soft_time_limit and task.time_limit and task.soft_time_limit > task.time_limit
    ]
    assert refused == []


def test_without_redis_tasks_run_in_process(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is (not settings.REDIS_URL)
    assert (settings.REDIS_URL or "memory://") == settings.CELERY_BROKER_URL
