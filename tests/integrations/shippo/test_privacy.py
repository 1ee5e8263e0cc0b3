"""After a Shippo sync, street lines, cities and phones are nowhere; names only where allowed."""

import logging
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from flux.fields import EncryptedJSONField
from integrations.connections import connection_sync
from sandbox.brand import Brand

ALLOWED_NAME_COLUMNS = {("Shipment", "recipient_name"), ("Label", "recipient_name")}


def recipients(brand: Brand) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        got = brand.shipments_page(page=page, results=100)
        found += [s["address_to"] for s in got.results]
        if len(found) >= got.count:
            return found
        page += 1


def stored_text() -> list[tuple[str, str, str]]:
    """Every text and JSON value in the database, with its model and column."""
    rows = []
    for model in apps.get_models():
        columns = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not isinstance(f, EncryptedJSONField)
        ]
        for values in model._default_manager.values_list(*columns) if columns else []:
            rows += [(model.__name__, c, str(v)) for c, v in zip(columns, values, strict=True)]
    return rows


@pytest.mark.django_db(transaction=True)
def test_no_street_city_or_phone_is_stored_or_logged_and_names_stay_in_their_columns(
    connection, brand, caplog
):
    with caplog.at_level(logging.DEBUG):
        connection_sync(connection_id=connection.pk, trigger="test")
    people = recipients(brand)
    secrets = {p[k] for p in people for k in ("street1", "street2", "city", "phone") if p.get(k)}
    names = {p["name"] for p in people}
    stored = stored_text()
    assert any(c == "recipient_name" and v in names for _, c, v in stored)
    leaks = [(m, c) for m, c, v in stored for s in secrets if s in v]
    assert leaks == []
    misplaced = [
        (m, c) for m, c, v in stored for n in names if n in v and (m, c) not in ALLOWED_NAME_COLUMNS
    ]
    assert misplaced == []
    logged = caplog.text
    assert [s for s in secrets | names if s in logged] == []
