"""The exceptions page: viewers read, operators act, anonymous people sign in first."""

import csv
import io

import pytest

from flux.audit.models import AuditEvent
from reconciliation.engine import reconcile
from reconciliation.models import Case, CaseStatus, LabelLink
from tests.reconciliation.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(make_order, make_label):
    matched = make_order()
    make_order()  # missing in Shippo, and fulfilled by hand
    make_order(fulfillment_status="PENDING")  # missing in Shippo
    make_label(metadata=matched.order_number)
    reconcile(full=True, now=NOW)
    return Case.objects.order_by("pk")


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get("/reconciliation/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_counts_buckets_and_lists_cases(client, viewer, cases):
    client.force_login(viewer)
    body = client.get("/reconciliation/").content.decode()
    assert 'data-bucket="missing_in_shippo"' in body
    assert body.count('data-case="') == 2


def test_an_empty_page_says_how_to_get_cases(client, viewer):
    client.force_login(viewer)
    assert "No orders have been reconciled yet" in client.get("/reconciliation/").content.decode()


def test_htmx_filters_get_only_the_results_fragment(client, viewer, cases):
    client.force_login(viewer)
    response = client.get(
        "/reconciliation/", {"flag": "fulfilled_no_label", "status": "open"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert body.count('data-case="') == 1


def test_the_csv_holds_exactly_the_filtered_rows(client, viewer, cases):
    client.force_login(viewer)
    response = client.get("/reconciliation/export.csv", {"flag": "fulfilled_no_label"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["case", "item", "bucket"]
    assert len(rows) == 2
    assert rows[1][3] == "missing_in_shippo fulfilled_no_label"


def test_a_viewer_cannot_act_on_a_case(client, viewer, cases):
    client.force_login(viewer)
    case = cases[0]
    response = client.post(
        f"/reconciliation/cases/{case.pk}/close", {"status": "resolved", "reason": "x"}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_an_operator_assigns_notes_and_resolves_a_case_and_each_step_is_audited(
    client, operator, cases
):
    client.force_login(operator)
    case = cases[0]
    base = f"/reconciliation/cases/{case.pk}"
    client.post(f"{base}/assign", {"owner": operator.pk})
    client.post(f"{base}/note", {"text": "Asked the warehouse."})
    client.post(f"{base}/close", {"status": "ignored", "reason": "shipped by hand"})
    case.refresh_from_db()
    assert (case.owner, case.status, case.reason) == (operator, "ignored", "shipped by hand")
    assert case.notes.get().text == "Asked the warehouse."
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "reconciliation.case_assigned",
        "reconciliation.case_noted",
        "reconciliation.case_ignored",
    } <= actions
    assert "Asked the warehouse." in client.get(f"{base}/").content.decode()


def test_a_case_needs_a_reason_to_close(client, operator, cases):
    client.force_login(operator)
    case = cases[0]
    response = client.post(
        f"/reconciliation/cases/{case.pk}/close", {"status": "resolved", "reason": ""}, follow=True
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert response.content.decode().count("Say why the case is resolved or ignored.") == 1


def test_confirming_a_probable_match_removes_the_flag_and_rejecting_never_proposes_it_again(
    client, operator, make_order, make_label
):
    first, second = make_order(), make_order(ship_postal_code="10001")
    make_label(metadata="")
    make_label(metadata="", recipient_zip="10001", days_ago=8)
    reconcile(full=True, now=NOW)
    client.force_login(operator)
    case_first = Case.objects.get(order=first)
    case_second = Case.objects.get(order=second)
    assert case_first.bucket == "probable_match"
    first_label = LabelLink.objects.get(order=first).label_id
    second_label = LabelLink.objects.get(order=second).label_id
    client.post(
        f"/reconciliation/cases/{case_first.pk}/decide",
        {"label": first_label, "decision": "confirm"},
    )
    client.post(
        f"/reconciliation/cases/{case_second.pk}/decide",
        {"label": second_label, "decision": "reject"},
    )
    reconcile(now=NOW)
    first.recon.refresh_from_db()
    assert (first.recon.flags, first.recon.match_kind) == ([], "confirmed")
    assert not LabelLink.objects.filter(order=second, label_id=second_label).exists()
    reconcile(full=True, now=NOW)
    assert not LabelLink.objects.filter(order=second, label_id=second_label).exists()
    assert Case.objects.get(order=second).bucket == "missing_in_shippo"
