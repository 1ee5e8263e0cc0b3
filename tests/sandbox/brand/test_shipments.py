from datetime import datetime, timedelta

from sandbox.brand.shippo import SHIPMENT_LEAD_MS


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_there_is_one_shipment_per_label_listed_newest_first(demo_brand):
    first = demo_brand.shipments_page(page=1, results=100)
    truth = demo_brand.truth
    assert first.count == truth.labels_valid + truth.labels_voided
    created = [_parse(s["object_created"]) for s in first.results]
    assert created == sorted(created, reverse=True)


def test_each_label_rate_names_its_shipment_which_offers_that_rate(demo_brand, all_transactions):
    for tx in all_transactions[:300]:
        shipment = demo_brand.shipment(tx["rate"]["shipment"])
        assert shipment is not None
        offered = {rate["object_id"]: rate for rate in shipment["rates"]}
        assert offered[tx["rate"]["object_id"]] == tx["rate"]
        assert all(rate["shipment"] == shipment["object_id"] for rate in shipment["rates"])
        assert shipment["metadata"] == tx["metadata"]
        assert shipment["parcels"][0]["object_id"] == tx["parcel"]


def test_a_shipment_precedes_its_label_by_the_fixed_lead(demo_brand, all_transactions):
    tx = all_transactions[0]
    shipment = demo_brand.shipment(tx["rate"]["shipment"])
    lead = _parse(tx["object_created"]) - _parse(shipment["object_created"])
    assert lead == timedelta(milliseconds=SHIPMENT_LEAD_MS)


def test_a_shipment_names_its_recipient_with_a_street_the_app_must_drop(demo_brand):
    shipment = demo_brand.shipments_page(results=1).results[0]
    assert {"name", "street1", "city", "state", "zip", "country", "phone"} <= set(
        shipment["address_to"]
    )
    assert shipment["address_to"]["street1"]


def test_the_created_since_filter_keeps_only_later_shipments(demo_brand):
    newest = demo_brand.shipments_page(results=50).results
    since = _parse(newest[-1]["object_created"])
    page = demo_brand.shipments_page(results=100, created_gte=since)
    assert page.count == 50
    assert [s["object_id"] for s in page.results[:50]] == [s["object_id"] for s in newest]


def test_unknown_or_malformed_shipment_ids_find_nothing(demo_brand):
    real = demo_brand.shipments_page(results=1).results[0]["object_id"]
    assert demo_brand.shipment(real) == demo_brand.shipments_page(results=1).results[0]
    assert demo_brand.shipment("0" * 32) is None
    assert demo_brand.shipment("not-an-id") is None
    assert demo_brand.shipment(real[:-8] + "ffffff00") is None
