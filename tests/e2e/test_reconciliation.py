"""In a real browser: an operator filters the exceptions, takes a case, resolves it, exports CSV."""

import csv
import io
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from integrations.models import Connection, Label, Order
from reconciliation.engine import reconcile
from reconciliation.models import Case, CaseStatus
from tests.reconciliation.conftest import NOW

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shop() -> None:
    """Three orders: one shipped, one missing in Shippo, one with its parcel returned."""
    shop = Connection.objects.create(provider="squarespace", external_account_id="e2e")
    shippo = Connection.objects.create(provider="shippo", external_account_id="e2e")
    created = NOW - timedelta(days=10)
    for number in ("7001", "7002", "7003"):
        Order.objects.create(
            connection=shop, provider_order_id=number, order_number=number, created_on=created,
            modified_on=created, fulfillment_status="FULFILLED", currency="USD",
            ship_postal_code="78702", ship_country="US",
        )  # fmt: skip
    for number, status in (("7001", "DELIVERED"), ("7003", "RETURNED")):
        Label.objects.create(
            connection=shippo, object_id=f"tx{number}", object_state="VALID", status="SUCCESS",
            object_created=created, object_updated=created, tracking_number=f"9400{number}",
            tracking_status=status, recipient_zip="78702", recipient_country="US",
            metadata=f"Order #{number}",
        )  # fmt: skip
    reconcile(full=True, now=NOW)


def test_an_operator_filters_takes_resolves_and_exports_a_case(
    browser_page, sign_in, live_server, operator, screenshot
):
    _shop()
    page = browser_page
    sign_in(page, operator)
    page.goto(f"{live_server.url}/reconciliation/")
    assert page.locator("#case-table tbody tr").count() == 2
    screenshot(page, "reconciliation-exceptions")

    page.select_option("#id_flag", "returned")  # htmx swaps the results in place
    # Waited for from the test's side: a string predicate would be eval'ed, which CSP forbids.
    expect(page.locator("#case-table tbody tr")).to_have_count(1)
    assert "#7003" in page.locator("#case-table").inner_text()
    assert "flag=returned" in page.url

    page.click("#case-table tbody tr a")
    page.select_option("#id_owner", str(operator.pk))
    page.click("#assign-form button[type=submit]")
    assert page.locator("#case-owner").inner_text() == operator.get_username()
    page.fill("#close-form input[name=reason]", "Reshipped to the right address")
    page.click("#close-form button[value=resolved]")
    assert page.locator("#case-status").inner_text().startswith("Resolved")
    screenshot(page, "reconciliation-case-resolved")
    case = Case.objects.get(order__order_number="7003")
    assert (case.status, case.owner) == (CaseStatus.RESOLVED, operator)

    page.goto(f"{live_server.url}/reconciliation/?status=&flag=")
    with page.expect_download() as download:
        page.click("#export-csv")
    text = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["case", "item", "bucket"]
    assert sorted(row[1] for row in rows[1:]) == ["#7002", "#7003"]
    assert {row[1]: row[5] for row in rows[1:]}["#7003"] == "resolved"
