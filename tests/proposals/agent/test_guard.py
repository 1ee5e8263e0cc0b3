"""The personal-data guard finds emails, phones, street addresses and recipient names."""

import pytest

from integrations.models import Connection, Label, Shipment
from proposals.agent.guard import PersonalDataGuard

GUARD = PersonalDataGuard(frozenset({"riley sullivan"}))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("write to orders42@example.com", "email address"),
        ("call +1 415-555-0142", "phone number"),
        ("call (415) 555-0142", "phone number"),
        ("+44 20 7946 0123", "phone number"),
        ("+61 2 5550 1234", "phone number"),
        ("+49 30 23125 123", "phone number"),
        ("+14155550142", "phone number"),
        ("ship to 4410 Lakeview Dr, Austin", "street address"),
        ("ship to 12 Maple St", "street address"),
        ("a gift for Riley  SULLIVAN", "recipient name"),
    ],
)
def test_personal_data_is_found_by_kind(text, kind):
    assert [f.kind for f in GUARD.findings(text)] == [kind]


@pytest.mark.parametrize(
    "text",
    [
        '{"spend_minor": 1234567890, "clicks": 4410, "day": "2026-11-27"}',
        '"suggested_time": "2026-11-28T17:00:00Z", "roas": 4.123456789',
        "Blueprint: Saturn V, 18x24; Digital Caliper 150mm; 3-Pack",
        "best gear clock; how does a stirling engine work",
        "[12, 345, 6789, 101112]",
    ],
)
def test_figures_dates_and_product_names_are_not_personal(text):
    assert GUARD.findings(text) == []


def test_findings_name_the_kind_and_count_never_the_data():
    found = GUARD.findings("a@b.co and c@d.co")
    assert [str(f) for f in found] == ["2 email addresses"]


@pytest.mark.django_db
def test_the_guard_knows_every_recipient_name_shippo_gave_us():
    connection = Connection.objects.create(provider="shippo", external_account_id="test")
    Label.objects.create(
        connection=connection,
        object_id="l1",
        object_state="VALID",
        status="SUCCESS",
        object_created="2026-11-01T00:00:00Z",
        object_updated="2026-11-01T00:00:00Z",
        recipient_name="Avery Quinn",
    )
    Shipment.objects.create(
        connection=connection,
        object_id="s1",
        object_created="2026-11-01T00:00:00Z",
        object_updated="2026-11-01T00:00:00Z",
        recipient_name="Jo Lin",
    )
    guard = PersonalDataGuard.load()
    assert guard.names == frozenset({"avery quinn", "jo lin"})
    assert not guard.is_clean("Thanks, avery quinn!")
