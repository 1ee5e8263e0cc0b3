"""No customer's email, street line, phone or name reaches the database, a log line, a task's
payload or a prompt to Claude.

One run of the whole product against the whole sandbox: every provider connected and synced,
the demo's catalog, posts and rules seeded, the agent run, every scheduled job run once, and
a customer's deletion request taken on the public page and processed by staff. Everything
logged (every logger, DEBUG up) and every task run on the way (with its arguments) is kept.
Then: no personal value in any text or JSON column (names only in the Shippo recipient
columns the policy allows), in the logs, in any task's arguments, or in the prompt sent.
"""

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from inspect import signature
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
from celery import Task
from celery.signals import before_task_publish, task_prerun
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import models
from django.test import Client
from django.urls import reverse

from flux.celery import app
from flux.fields import EncryptedJSONField  # sealed: ciphertext only (test_ciphertext.py)
from flux.privacy.models import DeletionRequest, DeletionStatus
from integrations.models import Label, Shipment
from integrations.tasks import sync_connection
from proposals.models import AICall, AICallStatus
from sandbox.demo import demo_connections_sync
from sandbox.platforms.anthropic import AnthropicPlatform
from sandbox.platforms.squarespace import Squarespace
from sandbox.server import SandboxOptions
from tests.security.conftest import RunningSandbox, serving

pytestmark = pytest.mark.django_db
app.loader.import_default_modules()  # every app's tasks module, as a worker imports them
NAME_COLUMNS_ALLOWED = {(Label, "recipient_name"), (Shipment, "recipient_name")}
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)
OUR_APPS = (
    "flux",
    "integrations",
    "catalog",
    "dashboards",
    "proposals",
    "reconciliation",
    "social",
)


# --- What the sandbox's customers are ------------------------------------------------------


def customers(sandbox: RunningSandbox) -> dict[str, set[str]]:
    """Every email, street line, phone and full name on the sandbox's orders, lowercased."""
    store = sandbox.app.platforms["squarespace"]
    assert isinstance(store, Squarespace)
    found: dict[str, set[str]] = {
        "emails": set(),
        "streets": set(),
        "phones": set(),
        "names": set(),
    }
    for order in store.brand.orders_page(limit=100_000).orders:
        found["emails"].add(order["customerEmail"] or "")
        for address in (order["billingAddress"], order["shippingAddress"]):
            address = address or {}
            found["streets"] |= {str(address.get(k) or "") for k in ("address1", "address2")}
            found["phones"].add(str(address.get("phone") or ""))
            found["names"].add(f"{address.get('firstName', '')} {address.get('lastName', '')}")
    return {
        kind: {v.strip().lower() for v in values if v.strip()} for kind, values in found.items()
    }


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


# --- The run ---------------------------------------------------------------------------------


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


def scheduled_jobs() -> list[tuple[str, dict[str, Any]]]:
    """The beat schedule's jobs, with one light sync in place of the full syncs."""
    schedule: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
    jobs = [
        (str(entry["task"]), dict(entry.get("kwargs", {})))
        for entry in schedule.values()
        if entry["task"] != "integrations.tasks.sync_scheduled"
    ]
    return [*jobs, ("integrations.tasks.sync_scheduled", {"streams": ["inventory"]})]


@pytest.fixture
def task_calls() -> Iterator[list[tuple[str, Any, Any]]]:
    """(task name, args, kwargs) of every task run, in-process or published."""
    seen: list[tuple[str, Any, Any]] = []

    def ran(sender: Task[Any, Any], args: Any = None, kwargs: Any = None, **_: object) -> None:
        seen.append((sender.name, args, kwargs))

    def published(sender: str, body: Any = None, **_: object) -> None:
        args, kwargs, _embed = body
        seen.append((sender, args, kwargs))

    task_prerun.connect(ran, weak=False)
    before_task_publish.connect(published, weak=False)
    yield seen
    task_prerun.disconnect(ran)
    before_task_publish.disconnect(published)


@dataclass
class WholeRun:
    sandbox: RunningSandbox
    log: str
    log_lines: int


@pytest.fixture
def whole_run(
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
    operator: User,
    task_calls: list[tuple[str, Any, Any]],
) -> Iterator[WholeRun]:
    with serving(SandboxOptions(seed=4, orders=400)) as sandbox:
        for name, value in sandbox.settings.items():
            setattr(settings, name, value)
        monkeypatch.setattr("integrations.meta.client.pause", lambda seconds: None)
        with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
            demo_connections_sync(report=lambda line: None)
            for task, kwargs in scheduled_jobs():
                app.tasks[task].delay(**kwargs)
            deletion_requested_and_processed(sorted(customers(sandbox)["emails"])[0], operator)
        # The run is this fixture's (setup's) log; the test's own caplog starts empty.
        yield WholeRun(sandbox, caplog.text, len(caplog.records))


def deletion_requested_and_processed(email: str, operator: User) -> None:
    """A customer asks on the public page; an operator processes the request."""
    cache.clear()  # the form's rate limit counts per client address
    assert Client().post("/data-deletion", {"email": email}).status_code == 200
    staff = Client()
    staff.force_login(operator)
    request = DeletionRequest.objects.get()
    answer = staff.post(reverse("privacy:request_process", args=[request.pk]))
    assert answer.status_code == 302
    request.refresh_from_db()
    assert request.status == DeletionStatus.COMPLETED


def test_no_personal_data_reaches_the_database_logs_task_payloads_or_the_prompt(
    whole_run: WholeRun, task_calls: list[Any]
):
    people = customers(whole_run.sandbox)
    assert len(people["emails"]) > 200  # the checks below mean something
    forbidden = people["emails"] | people["streets"] | people["phones"]
    names = people["names"] | {
        name.lower()
        for model in (Label, Shipment)
        for name in model.objects.values_list("recipient_name", flat=True)
        if name
    }

    for model, column, text in stored_text():
        phrases = phrases_of(text)
        assert not phrases & forbidden, f"{model.__name__}.{column} holds personal data"
        if (model, column) not in NAME_COLUMNS_ALLOWED:
            assert not phrases & names, f"{model.__name__}.{column} holds a customer's name"

    assert whole_run.log_lines > 50, "the run logs"
    assert not phrases_of(whole_run.log) & (forbidden | names), "a log line holds personal data"

    assert {name for name, _, _ in task_calls} >= {"integrations.tasks.sync_connection"}
    for name, args, kwargs in task_calls:
        payload = json.dumps([args, kwargs])  # JSON only: no model instance, nothing pickled
        assert not phrases_of(payload) & (forbidden | names), f"{name} carries personal data"

    claude = whole_run.sandbox.app.platforms["anthropic"]
    assert isinstance(claude, AnthropicPlatform)
    prompts = [r.body for r in claude.requests if r.path == "/v1/messages"]
    assert prompts, "the agent asked Claude"
    for body in prompts:
        prompt = f"{body['system']}\n{body['messages']}".casefold()
        assert [value for value in forbidden | names if len(value) >= 6 and value in prompt] == []
    agent = prompts[0]["messages"][0]["content"]
    for section in ("campaigns", "products", "search_opportunities"):
        assert f'<data name="{section}">' in agent
    assert AICall.objects.filter(status=AICallStatus.OK).exists()


# --- Task signatures: ids and plain options only ---------------------------------------------

PLAIN = (int, str, bool, float, NoneType)


def plain(annotation: Any) -> bool:
    """Say whether a parameter type is JSON-plain: scalars, lists of them, optional ones."""
    if annotation in PLAIN:
        return True
    origin = get_origin(annotation)
    if origin in (Union, UnionType, list):
        return all(plain(arg) for arg in get_args(annotation))
    return False


OUR_TASKS = sorted(name for name in app.tasks if name.startswith(OUR_APPS))  # all imported above


def test_every_task_of_ours_takes_only_ids_and_plain_options():
    assert "integrations.tasks.sync_connection" in OUR_TASKS
    for name in OUR_TASKS:
        run = app.tasks[name].run
        hints = get_type_hints(run)
        for parameter in signature(run).parameters:
            if parameter == "self":
                continue
            assert plain(hints[parameter]), f"{name}({parameter}: {hints[parameter]})"


@pytest.mark.redis
def test_task_payloads_on_the_wire_are_json_with_ids_only(settings):
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
