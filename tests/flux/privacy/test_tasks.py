"""The daily task flags open requests past their due date, once each."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from flux.audit.models import AuditEvent
from flux.privacy.actions import (
    DeletionSubject,
    deletion_request_create,
    deletion_requests_flag_overdue,
)
from flux.privacy.models import DeletionRequest, DeletionSource, DeletionStatus
from flux.privacy.tasks import flag_overdue_deletion_requests

pytestmark = pytest.mark.django_db


def _request(email: str, *, days_past_due: int, status=DeletionStatus.RECEIVED) -> int:
    created = deletion_request_create(
        source=DeletionSource.FORM, subject=DeletionSubject.from_email(email)
    )
    due = timezone.now() - timedelta(days=days_past_due)
    DeletionRequest.objects.filter(pk=created.pk).update(due_at=due, status=status)
    return created.pk


def test_only_open_requests_past_due_are_flagged_and_audited_once():
    late = _request("late@example.com", days_past_due=2)
    _request("fine@example.com", days_past_due=-5)
    _request("done@example.com", days_past_due=2, status=DeletionStatus.COMPLETED)
    assert deletion_requests_flag_overdue() == 1
    assert deletion_requests_flag_overdue() == 0
    flagged = set(
        DeletionRequest.objects.exclude(overdue_flagged_at=None).values_list("pk", flat=True)
    )
    assert flagged == {late}
    events = AuditEvent.objects.filter(action="privacy.deletion_request.overdue")
    assert [(e.target_id, e.actor_label) for e in events] == [(str(late), "system:privacy")]


def test_the_scheduled_task_flags_overdue_requests():
    late = _request("late@example.com", days_past_due=1)
    assert flag_overdue_deletion_requests.delay().get() == 1
    assert DeletionRequest.objects.get(pk=late).overdue_flagged_at is not None


def test_the_task_keeps_the_name_the_beat_schedule_uses():
    scheduled = settings.CELERY_BEAT_SCHEDULE["flag-overdue-deletion-requests"]["task"]
    assert flag_overdue_deletion_requests.name == scheduled
