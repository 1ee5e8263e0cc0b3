"""rotate_keys: every sealed value moves to the newest key, resumably, without plaintext."""

import base64
import json
import uuid
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from integrations.models import Credential


def key_entry(kid: str, fill: int) -> str:
    return f"{kid}:{base64.b64encode(bytes([fill]) * 32).decode()}"


K1, K2 = key_entry("k1", 1), key_entry("k2", 2)


def raw_secrets() -> dict[str, dict[str, Any]]:
    """Read every stored envelope straight from the table, keyed by pk text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, secret FROM integrations_credential")
        rows = cursor.fetchall()
    return {
        str(uuid.UUID(str(pk))): raw if isinstance(raw, dict) else json.loads(raw)
        for pk, raw in rows
    }


def rotate(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("rotate_keys", "--json", *args, stdout=out)
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


@pytest.fixture
def old_credentials(db, settings) -> list[Credential]:
    """Five credentials sealed under k1, then the ring gains k2 as its newest key."""
    settings.FLUX_KEYS = K1
    made = [
        Credential.objects.create(provider="meta", secret={"access_token": f"tok-{n}-plaintext"})
        for n in range(5)
    ]
    settings.FLUX_KEYS = f"{K2},{K1}"
    return made


def test_rotation_moves_every_value_to_the_newest_key_and_all_stay_readable(
    old_credentials, settings
):
    report = rotate()
    assert (report["kid"], report["rewrapped"], report["remaining"]) == ("k2", 5, 0)
    settings.FLUX_KEYS = K2  # the old key can now be dropped
    for n, credential in enumerate(old_credentials):
        loaded = Credential.objects.get(pk=credential.pk)
        assert (loaded.secret.kid, loaded.secret.reveal()) == (
            "k2",
            {"access_token": f"tok-{n}-plaintext"},
        )


def test_a_second_run_rewraps_nothing(old_credentials):
    rotate()
    before = raw_secrets()
    assert rotate()["rewrapped"] == 0
    assert raw_secrets() == before


def test_rotation_changes_only_the_wrapped_key_and_never_writes_plaintext(old_credentials):
    before = raw_secrets()
    rotate()
    after = raw_secrets()
    for pk, envelope in after.items():
        assert "plaintext" not in json.dumps(envelope)
        assert envelope["kid"] == "k2"
        assert envelope["wrapped_key"] != before[pk]["wrapped_key"]
        unchanged = ("v", "nonce", "ciphertext")
        assert {k: envelope[k] for k in unchanged} == {k: before[pk][k] for k in unchanged}


def test_a_stopped_run_is_finished_by_running_again(old_credentials):
    first = rotate("--batch-size", "2", "--max-batches", "1")
    assert (first["rewrapped"], first["batches"], first["remaining"]) == (2, 1, 3)
    assert sorted(e["kid"] for e in raw_secrets().values()) == ["k1", "k1", "k1", "k2", "k2"]
    second = rotate("--batch-size", "2")
    assert (second["rewrapped"], second["batches"], second["remaining"]) == (3, 2, 0)


def test_an_unreadable_value_is_counted_and_left_as_is_while_the_rest_rotate(old_credentials):
    broken = old_credentials[0]
    Credential.objects.filter(pk=broken.pk).update(secret=raw_secrets()[str(old_credentials[1].pk)])
    stored = raw_secrets()[str(broken.pk)]
    report = rotate()
    assert (report["rewrapped"], report["unreadable"], report["remaining"]) == (4, 1, 1)
    assert raw_secrets()[str(broken.pk)] == stored


def test_the_human_summary_names_the_key_and_the_counts(old_credentials):
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    assert "Re-wrapped 5 value(s) under key 'k2'" in out.getvalue()
    assert "0 remain" in out.getvalue()
