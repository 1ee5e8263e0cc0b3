"""After a sync, no customer's email, street line or phone is anywhere in the database or logs."""

import logging

import pytest
from django.apps import apps
from django.db import models

from integrations.connections import connection_sync
from integrations.models import Connection, Order
from tests.integrations.squarespace.conftest import Site

pytestmark = pytest.mark.django_db


def personal_values(site: Site) -> set[str]:
    """Collect every email, street line and phone number the brand's orders carry."""
    found: set[str] = set()
    page = site.brand.orders_page(limit=10_000)
    for order in page.orders:
        found.add(order["customerEmail"] or "")
        for address in (order["billingAddress"], order["shippingAddress"]):
            for key in ("address1", "address2", "phone"):
                found.add((address or {}).get(key) or "")
    return {value for value in found if len(value) >= 6}


def stored_text() -> str:
    """Return every text-like column of every table, joined."""
    kinds = (models.CharField, models.TextField, models.JSONField)
    chunks: list[str] = []
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, kinds)]
        for row in model._default_manager.values_list(*names) if names else []:
            chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


def test_no_email_street_or_phone_reaches_the_database_or_the_logs(
    site: Site, key_connection: Connection, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    connection_sync(connection_id=key_connection.pk)
    assert Order.objects.count() == site.brand.truth.orders
    needles = personal_values(site)
    assert len(needles) > 500
    haystack, logs = stored_text(), caplog.text
    assert [n for n in needles if n in haystack] == []
    assert [n for n in needles if n in logs] == []
    assert Order.objects.exclude(email_hash="").count() > 0
