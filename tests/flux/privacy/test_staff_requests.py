"""Staff list, process and reject deletion requests; only operators and admins may act."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.utils import timezone

from flux.audit.models import AuditEvent
from flux.privacy.actions import DeletionSubject, deletion_request_create
from flux.privacy.models import DeletionRequest, DeletionSource, DeletionStatus

pytestmark = pytest.mark.django_db


def _request_for(email: str = "someone@example.com", note: str = "") -> DeletionRequest:
    return deletion_request_create(
        source=DeletionSource.FORM, subject=DeletionSubject.from_email(email), note=note
    )


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/data-deletion/requests/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_signed_in_user_without_a_role_is_refused(client, outsider):
    client.force_login(outsider)
    assert client.get("/data-deletion/requests/").status_code == 403


def test_staff_see_requests_with_their_due_dates_and_overdue_ones_highlighted(client, viewer):
    fresh = _request_for()
    late = _request_for("late@example.com")
    DeletionRequest.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    client.force_login(viewer)
    page = client.get("/data-deletion/requests/").content.decode()
    assert fresh.due_at.strftime("%Y-%m-%d") in page
    assert page.count("table-danger overdue") == 1
    assert f'href="/data-deletion/requests/{late.pk}/"' in page


def test_staff_filter_requests_by_status(client, viewer):
    open_one = _request_for()
    closed = _request_for("closed@example.com")
    DeletionRequest.objects.filter(pk=closed.pk).update(status=DeletionStatus.REJECTED)
    client.force_login(viewer)
    page = client.get("/data-deletion/requests/", {"status": "rejected"}).content.decode()
    assert f"/data-deletion/requests/{closed.pk}/" in page
    assert f"/data-deletion/requests/{open_one.pk}/" not in page


def test_a_viewer_sees_a_request_but_may_not_process_or_reject_it(client, viewer):
    pending = _request_for()
    client.force_login(viewer)
    assert client.get(f"/data-deletion/requests/{pending.pk}/").status_code == 200
    assert client.post(f"/data-deletion/requests/{pending.pk}/process").status_code == 403
    reject = client.post(f"/data-deletion/requests/{pending.pk}/reject", {"reason": "no"})
    assert reject.status_code == 403
    assert DeletionRequest.objects.get(pk=pending.pk).status == DeletionStatus.RECEIVED


def test_processing_erases_matching_data_and_records_counts_and_an_audit_event(
    client, operator, make_user
):
    staffer = make_user("leaving-staffer", "viewer")
    EmailAddress.objects.create(user=staffer, email=staffer.email, primary=True, verified=True)
    pending = _request_for(staffer.email.upper(), note="I left the company.")
    client.force_login(operator)
    response = client.post(f"/data-deletion/requests/{pending.pk}/process")
    assert response.status_code == 302
    done = DeletionRequest.objects.get(pk=pending.pk)
    assert done.status == DeletionStatus.COMPLETED
    assert done.completed_at is not None
    assert done.processed_by_label == operator.username
    assert done.result == {
        "accounts.staff_account": 2,
        "dashboards.rollups": 0,  # the rollups hold no email hash; they refresh afterwards
        "privacy.deletion_request_notes": 1,
        "integrations.synced_orders_and_shipments": 0,
    }
    assert done.note == ""
    erased = User.objects.get(pk=staffer.pk)
    assert (erased.username, erased.email, erased.is_active) == (f"erased-{staffer.pk}", "", False)
    assert not EmailAddress.objects.filter(user=staffer).exists()
    event = AuditEvent.objects.get(action="privacy.deletion_request.completed")
    assert event.actor_label == operator.username
    assert event.after == {"status": "completed", "result": done.result}


def test_a_closed_request_cannot_be_processed_again(client, operator):
    pending = _request_for()
    client.force_login(operator)
    client.post(f"/data-deletion/requests/{pending.pk}/process")
    response = client.post(f"/data-deletion/requests/{pending.pk}/process", follow=True)
    assert "already closed" in response.content.decode()
    assert AuditEvent.objects.filter(action="privacy.deletion_request.completed").count() == 1


def test_rejecting_needs_a_reason_and_is_audited(client, operator):
    pending = _request_for(note="keep me")
    client.force_login(operator)
    client.post(f"/data-deletion/requests/{pending.pk}/reject", {"reason": ""})
    assert DeletionRequest.objects.get(pk=pending.pk).status == DeletionStatus.RECEIVED
    client.post(f"/data-deletion/requests/{pending.pk}/reject", {"reason": "Duplicate of #1"})
    rejected = DeletionRequest.objects.get(pk=pending.pk)
    assert rejected.status == DeletionStatus.REJECTED
    assert rejected.reject_reason == "Duplicate of #1"
    assert rejected.note == "keep me"
    event = AuditEvent.objects.get(action="privacy.deletion_request.rejected")
    assert event.after == {"status": "rejected", "reason": "Duplicate of #1"}


def test_staff_actions_refuse_get(client, operator):
    pending = _request_for()
    client.force_login(operator)
    assert client.get(f"/data-deletion/requests/{pending.pk}/process").status_code == 405
