"""Shippo JSON -> typed records, on small owned fixtures."""

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from integrations.http import TransientError
from integrations.shippo.parse import (
    MalformedPage,
    label_parse,
    list_page_parse,
    records_parse,
    shipment_parse,
    shippo_order_parse,
    to_minor,
    tracking_update_parse,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return loaded


def test_a_label_takes_carrier_service_and_cost_in_cents_from_its_rate():
    label = label_parse(fixture("transaction"))
    assert label.rate is not None
    assert (label.rate.carrier, label.rate.service_level) == ("usps", "USPS Ground Advantage")
    assert (label.rate.amount, label.rate.currency) == (735, "USD")
    assert label.rate.shipment_object_id == "s0000000000000000000000000000001"
    assert label.tracking_status == "TRANSIT"
    assert label.shippo_order_object_id == "o0000000000000000000000000000001"


def test_a_bare_tracking_status_is_dated_by_the_transactions_last_update():
    label = label_parse(fixture("transaction"))
    assert label.tracking_status_at == datetime(2026, 11, 4, 9, tzinfo=UTC)


def test_a_tracking_status_object_without_status_date_is_dated_by_its_update():
    label = label_parse(fixture("transaction_status_object"))
    assert label.tracking_status == "DELIVERED"
    assert label.tracking_status_at == datetime(2026, 11, 5, 11, tzinfo=UTC)


def test_a_rate_given_as_an_id_is_kept_for_lookup():
    label = label_parse(fixture("transaction_rate_id"))
    assert label.rate is None
    assert label.rate_object_id == "r0000000000000000000000000000001"


def test_a_shipment_keeps_the_recipients_name_zip_and_country_and_nothing_else():
    shipment = shipment_parse(fixture("shipment"))
    assert shipment.recipient.name == "Avery Quill"
    assert (shipment.recipient.zip, shipment.recipient.country) == ("97035", "US")
    text = repr(shipment)
    for dropped in ("Larkspur", "Apt 4", "Eastbrook", "503-555", "avery@example.com"):
        assert dropped not in text


def test_a_shipments_rates_belong_to_it_and_zero_decimal_currencies_stay_whole():
    rates = shipment_parse(fixture("shipment")).rates
    assert [r.shipment_object_id for r in rates] == ["s0000000000000000000000000000001"] * 2
    assert (rates[1].carrier, rates[1].amount, rates[1].currency) == ("fedex", 1500, "JPY")


def test_a_shippo_order_keeps_its_number_status_zip_and_country():
    order = shippo_order_parse(fixture("shippo_order"))
    assert (order.order_number, order.order_status) == ("#1042", "SHIPPED")
    assert (order.recipient_zip, order.recipient_country) == ("97035", "US")
    assert "Larkspur" not in repr(order)


def test_null_arrays_read_as_empty():
    raw = fixture("shipment")
    raw["rates"], raw["parcels"] = None, None
    shipment = shipment_parse(raw)
    assert shipment.rates == ()
    assert shipment.parcel_count == 0


def test_a_track_reports_its_latest_status_and_ignores_history_without_dates():
    update = tracking_update_parse(fixture("track_updated")["data"])
    assert (update.carrier, update.status) == ("usps", "DELIVERED")
    assert update.status_date == datetime(2026, 11, 6, 7, 55, tzinfo=UTC)


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("7.35", "USD", 735), ("0.005", "USD", 1), ("1500", "JPY", 1500), ("1.234", "KWD", 1234)],
)
def test_decimal_strings_become_minor_units(amount, currency, minor):
    assert to_minor(amount, currency) == minor


HOSTILE = [
    ("object_id", None),
    ("object_id", "../../etc/passwd"),
    ("object_id", "x" * 65),
    ("object_state", "valid"),
    ("status", "SHIPPED"),
    ("tracking_status", "IN_ORBIT"),
    ("tracking_status", 7),
    ("status", ["SUCCESS"]),
    ("object_created", "last tuesday"),
    ("object_created", "2026-11-02T15:04:05"),  # no time zone
    ("test", "no"),
    ("tracking_number", "9" * 101),
    ("metadata", {"order": 1}),
    ("rate", ["r1"]),
    ("rate", {"object_id": "r1", "amount": "NaN", "currency": "USD", "provider": "USPS"}),
    ("rate", {"object_id": "r1", "amount": "1e400", "currency": "USD", "provider": "USPS"}),
    ("rate", {"object_id": "r1", "amount": 7.35, "currency": "USD", "provider": "USPS"}),
    ("rate", {"object_id": "r1", "amount": "7.35", "currency": "usd", "provider": "USPS"}),
    ("order", "\x00"),
]


@pytest.mark.parametrize(("field", "value"), HOSTILE, ids=lambda v: repr(v)[:30])
def test_hostile_values_raise_malformed_page_naming_the_field_not_the_value(field, value):
    raw = copy.deepcopy(fixture("transaction"))
    raw[field] = value
    with pytest.raises(MalformedPage) as caught:
        records_parse([raw], label_parse, "transaction")
    assert isinstance(caught.value, TransientError)
    assert str(caught.value).startswith("shippo: transaction 0:")
    if isinstance(value, str) and len(value) > 3:
        assert value not in str(caught.value)


def test_a_hostile_recipient_address_is_refused():
    raw = fixture("shipment")
    raw["address_to"]["country"] = "United States"
    with pytest.raises(MalformedPage):
        shipment_parse(raw)


@pytest.mark.parametrize(
    "envelope",
    [
        [],
        {"results": None},
        {"results": [1, 2]},
        {"results": [], "next": 5},
        {"results": [], "next": "https://evil.example/transactions/?page=2"},
        {"results": [], "next": "https://api.goshippo.com.evil.example/x"},
    ],
)
def test_a_bad_envelope_or_a_next_link_off_origin_is_malformed(envelope):
    with pytest.raises(MalformedPage):
        list_page_parse(envelope, origin="https://api.goshippo.com")


def test_a_next_link_on_the_same_origin_is_followed():
    page = list_page_parse(
        {"next": "https://api.goshippo.com/transactions/?page=2", "results": [{}]},
        origin="https://api.goshippo.com",
    )
    assert page.next_url == "https://api.goshippo.com/transactions/?page=2"
    assert page.results == ({},)
