"""After syncing the demo data set, no customer email, street line or phone is anywhere:
not in any text or JSON column, not in the logs, not in a task payload. Customer names
appear only in the Shippo recipient columns the policy allows.
"""

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from celery.signals import before_task_publish
from django.apps import apps
from django.db import models

from flux.celery import app
from flux.fields import EncryptedJSONField  # sealed: ciphertext only, checked in tests/flux
from integrations.connections import connection_connect, connection_sync
from integrations.models import Label, Shipment
from integrations.providers import registry
from integrations.tasks import sync_connection
from sandbox.server import SandboxOptions, build_sandbox
from sandbox.testing import running_sandbox

pytestmark = pytest.mark.django_db
NAME_COLUMNS_ALLOWED = {(Label, "recipient_name"), (Shipment, "recipient_name")}
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with running_sandbox(build_sandbox(SandboxOptions(seed=77))) as url:
        yield url


def squarespace_people(url: str) -> dict[str, set[str]]:
    """Collect the personal values the sandbox's orders carry, as the platform sends them."""
    found: dict[str, set[str]] = {
        "emails": set(),
        "streets": set(),
        "phones": set(),
        "names": set(),
    }
    headers = {"Authorization": "Bearer sqsp_demo_key", "User-Agent": "test"}
    page_url = f"{url}/squarespace/1.0/commerce/orders"
    while page_url:
        page = requests.get(page_url, headers=headers, timeout=30).json()
        for order in page["result"]:
            _collect(order, found)
        page_url = page["pagination"]["nextPageUrl"]
    return found


def _collect(order: dict[str, Any], found: dict[str, set[str]]) -> None:
    if order["customerEmail"]:
        found["emails"].add(order["customerEmail"])
    for address in (order["billingAddress"], order["shippingAddress"]):
        if not address:
            continue
        found["streets"] |= {line for line in (address["address1"], address["address2"]) if line}
        if address["phone"]:
            found["phones"].add(address["phone"])
        found["names"].add(f"{address['firstName']} {address['lastName']}")


def stored_text() -> Iterator[tuple[type[models.Model], str, str]]:
    """Yield (model, column, value) for every text and JSON value in the database."""
    for model in apps.get_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, TEXT_FIELDS) and not isinstance(f, EncryptedJSONField)
        ]
        if not fields:
            continue
        names = [f.attname for f in fields]
        for row in model._default_manager.values_list(*names).iterator():
            for name, value in zip(names, row, strict=True):
                if value not in (None, "", {}, []):
                    yield model, name, value if isinstance(value, str) else json.dumps(value)


def connect_and_sync(provider: str, key: str) -> None:
    grant = registry.get(provider).connect_with_key(api_key=key, account="")
    connection = connection_connect(provider=provider, grant=grant, actor="test")
    runs = connection_sync(connection_id=connection.pk)
    assert runs
    assert all(run.status == "succeeded" for run in runs), [r.error for r in runs]


def test_no_personal_data_reaches_the_database_or_the_logs(sandbox_url, settings, caplog):
    settings.SQUARESPACE_API_URL = f"{sandbox_url}/squarespace"
    settings.SHIPPO_API_URL = f"{sandbox_url}/shippo"
    people = squarespace_people(sandbox_url)
    assert len(people["emails"]) > 100  # the check below means something

    with caplog.at_level(logging.DEBUG):
        connect_and_sync("squarespace", "sqsp_demo_key")
        connect_and_sync("shippo", "shippo_test_demo")

    forbidden = {v.lower() for v in people["emails"] | people["streets"] | people["phones"]}
    names = {name.lower() for name in people["names"]}
    for model, column, text in stored_text():
        phrases = phrases_of(text)
        assert not phrases & forbidden, f"{model.__name__}.{column} holds personal data"
        if (model, column) not in NAME_COLUMNS_ALLOWED:
            assert not phrases & names, f"{model.__name__}.{column} holds a customer's name"
    assert not phrases_of(caplog.text) & (forbidden | names)


def phrases_of(text: str, longest: int = 6) -> set[str]:
    """Every run of up to `longest` words in `text`, lowercased, punctuation trimmed.

    Matching whole phrases against sets keeps the scan linear in the data's size.
    """
    words = [word.strip("\"',:;{}[]()<>") for word in text.lower().split()]
    return {
        " ".join(words[start : start + size])
        for start in range(len(words))
        for size in range(1, longest + 1)
        if start + size <= len(words)
    }


@pytest.mark.redis
def test_task_payloads_carry_only_ids_and_plain_options(settings):
    captured: list[object] = []

    def capture(body: object = None, **kwargs: object) -> None:
        captured.append(body)

    before_task_publish.connect(capture, weak=False)
    app.conf.task_always_eager = False
    try:
        queue = "payload-check"
        sync_connection.apply_async((42, ["orders"]), {"full": True}, queue=queue)
    finally:
        app.conf.task_always_eager = True
        before_task_publish.disconnect(capture)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)  # type: ignore[attr-defined]
    assert captured
    body: Any = captured[0]
    args, kwargs, _embed = body
    assert list(args) == [42, ["orders"]]
    assert kwargs == {"full": True}
    json.dumps(captured[0])  # JSON only: nothing pickled, no model instance
