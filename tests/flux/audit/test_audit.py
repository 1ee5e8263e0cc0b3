"""The audit log is append-only, filterable by staff, and read-only in the admin."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from flux.audit.actions import audit_record
from flux.audit.models import AuditEvent, AuditLogIsAppendOnly


@pytest.fixture
def event(operator):
    return audit_record(
        actor=operator, action="rule.updated", before={"threshold": 40}, after={"threshold": 45}
    )


def test_an_event_records_actor_action_change_and_request_id(event, operator):
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_id == operator.pk
    assert stored.actor_label == "otto-operator"
    assert (stored.before, stored.after) == ({"threshold": 40}, {"threshold": 45})
    assert stored.request_id == "-"


def test_a_target_is_recorded_by_type_id_and_label(operator):
    event = audit_record(actor="system", action="user.touched", target=operator)
    assert (event.target_type, event.target_id) == ("auth.user", str(operator.pk))
    assert event.actor_label == "system"
    assert event.actor_id is None


def test_saving_or_deleting_an_event_through_the_orm_is_refused(event):
    event.action = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "rule.updated"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET action = 'rewritten' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_postgres_refuses_update_and_delete_in_the_database_itself(event, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "rule.updated"


def test_a_request_id_from_the_proxy_is_recorded(client, operator):
    client.force_login(operator)
    response = client.get("/audit/", headers={"X-Request-ID": "req-12345678"})
    assert response["X-Request-ID"] == "req-12345678"


def test_staff_can_filter_the_audit_page_by_action_and_actor(client, viewer, operator):
    audit_record(actor=operator, action="proposal.approved")
    audit_record(actor=viewer, action="rule.updated")
    client.force_login(viewer)
    page = client.get("/audit/", {"action": "proposal."}).content.decode()
    assert "proposal.approved" in page
    assert "rule.updated" not in page
    page = client.get("/audit/", {"actor": "vera"}).content.decode()
    assert "rule.updated" in page
    assert "proposal.approved" not in page


def test_the_audit_page_filters_by_date(client, viewer):
    audit_record(actor=viewer, action="old.thing")
    client.force_login(viewer)
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    page = client.get("/audit/", {"since": tomorrow}).content.decode()
    assert "old.thing" not in page
    assert "No event matches these filters." in page


def test_htmx_requests_get_only_the_results_fragment(client, viewer):
    audit_record(actor=viewer, action="rule.updated")
    client.force_login(viewer)
    response = client.get("/audit/", {"action": "rule"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "rule.updated" in body
    assert "<html" not in body


def test_an_invalid_date_filter_shows_a_field_error_not_a_500(client, viewer):
    client.force_login(viewer)
    response = client.get("/audit/", {"since": "not-a-date"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_the_admin_shows_events_but_offers_no_change_or_delete(client, admin_user, event):
    client.force_login(admin_user)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    detail = client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
