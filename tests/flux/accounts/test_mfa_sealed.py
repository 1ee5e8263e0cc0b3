"""MFA secrets at rest: TOTP secrets and recovery-code seeds are sealed with FLUX_KEYS.

A copy of mfa_authenticator (a backup) must not hold what makes second-factor codes, while
sign-in with a TOTP code or a recovery code works as before. Rows are read straight from the
table to see what a backup would hold.
"""

import base64
import json
import re
import time
from importlib import import_module
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.apps import apps as django_apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from flux.accounts.mfa import SEALED_PREFIX, StaffMFAAdapter, UnsealedMFASecret
from flux.crypto import CredentialUnreadable
from tests.flux.test_rotate_keys import rotate

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple 42"
MIGRATION = import_module("flux.accounts.migrations.0002_seal_mfa_secrets")


def key_entry(kid: str, fill: int) -> str:
    return f"{kid}:{base64.b64encode(bytes([fill]) * 32).decode()}"


K1, K2 = key_entry("k1", 1), key_entry("k2", 2)


def code_at(secret: str, counter: int) -> str:
    return str(format_hotp_value(hotp_value(secret, counter)))


def current_code(secret: str) -> str:
    """The code an authenticator app holding `secret` shows now."""
    return code_at(secret, int(time.time()) // 30)


def wrong_code(secret: str) -> str:
    """A code that matches `secret` at no step near now, even across a step boundary."""
    counter = int(time.time()) // 30
    near = {code_at(secret, counter + step) for step in (-1, 0, 1, 2)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in near)


def raw_data(pk: int) -> str:
    """The row's data column as text, straight from the table: what a backup holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [pk])
        raw = cursor.fetchone()[0]
    return raw if isinstance(raw, str) else json.dumps(raw)


def stored(pk: int) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(raw_data(pk))
    return parsed


def kid_of(value: str) -> str:
    assert value.startswith(SEALED_PREFIX)
    kid: str = json.loads(value.removeprefix(SEALED_PREFIX))["kid"]
    return kid


def validates(pk: int, code: str) -> bool:
    """Check a code the way sign-in does, against the row as stored."""
    authenticator = Authenticator.objects.get(pk=pk)
    return bool(authenticator.wrap().validate_code(code))


@pytest.fixture
def staff(make_user: Any) -> User:
    user: User = make_user("mia-mfa", "operator")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in_with_password(client: Client) -> None:
    client.post(reverse("account_login"), {"login": "mia-mfa", "password": PASSWORD})


def enrol_totp(client: Client) -> str:
    """Enrol TOTP through the real enrolment page; return the secret the QR code carries."""
    sign_in_with_password(client)
    secret: str = client.get(reverse("mfa_activate_totp")).context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    return secret


def sign_in(client: Client, code: str) -> None:
    """Sign in with the password, then the second factor (a TOTP or recovery code)."""
    sign_in_with_password(client)
    client.post(reverse("mfa_authenticate"), {"code": code})


def recovery_codes_shown(client: Client) -> list[str]:
    """The codes the download page gives a signed-in user who has just re-entered the password."""
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_download_recovery_codes"))
    assert response.status_code == 200
    return re.findall(r"\b\d{8}\b", response.content.decode())


def test_an_enrolled_totp_secret_is_sealed_and_a_right_code_still_signs_in(staff):
    enrolling = Client()
    secret = enrol_totp(enrolling)
    totp = Authenticator.objects.get(user=staff, type="totp")
    assert secret not in raw_data(totp.pk)
    assert stored(totp.pk)["secret"].startswith(SEALED_PREFIX)
    assert kid_of(stored(totp.pk)["secret"]) == "dev1"

    client = Client()
    sign_in(client, wrong_code(secret))
    assert "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_recovery_codes_are_made_from_a_sealed_seed_and_each_signs_in_once(staff):
    secret = enrol_totp(Client())
    signed_in = Client()
    sign_in(signed_in, current_code(secret))
    codes = recovery_codes_shown(signed_in)
    assert len(codes) == 10
    recovery = Authenticator.objects.get(user=staff, type="recovery_codes")
    assert stored(recovery.pk)["seed"].startswith(SEALED_PREFIX)
    for code in codes:
        assert code not in raw_data(recovery.pk)

    first = Client()
    sign_in(first, codes[0])
    assert first.session["_auth_user_id"] == str(staff.pk)
    again = Client()
    sign_in(again, codes[0])
    assert "_auth_user_id" not in again.session
    sign_in(again, "00000000" if "00000000" not in codes else "99999999")
    assert "_auth_user_id" not in again.session


def test_a_secret_stored_in_plain_text_is_refused(staff):
    secret = generate_totp_secret()
    legacy = Authenticator.objects.create(user=staff, type="totp", data={"secret": secret})
    with pytest.raises(UnsealedMFASecret):
        validates(legacy.pk, current_code(secret))
    assert issubclass(UnsealedMFASecret, CredentialUnreadable)
    with pytest.raises(CredentialUnreadable):
        StaffMFAAdapter().decrypt("not-sealed")
    with pytest.raises(CredentialUnreadable):
        StaffMFAAdapter().decrypt(SEALED_PREFIX + '{"v":1}')


def test_a_sealed_secret_needs_its_key(staff, settings):
    settings.FLUX_KEYS = K1
    secret = generate_totp_secret()
    totp = TOTP.activate(staff, secret).instance
    settings.FLUX_KEYS = K2
    with pytest.raises(CredentialUnreadable):
        validates(totp.pk, current_code(secret))


@pytest.fixture
def legacy_rows(staff: User) -> dict[str, Any]:
    """Rows as stored before sealing: a TOTP secret, a seed and migrated codes in plain text."""
    secret, seed = generate_totp_secret(), RecoveryCodes.generate_seed()
    migrated = ["11112222", "33334444"]
    totp = Authenticator.objects.create(user=staff, type="totp", data={"secret": secret})
    recovery = Authenticator.objects.create(
        user=staff,
        type="recovery_codes",
        data={"seed": seed, "used_mask": 0, "migrated_codes": migrated},
    )
    return {"totp": totp.pk, "recovery": recovery.pk, "plain": [secret, seed, *migrated]}


def seal_plaintext() -> None:
    MIGRATION.seal_plaintext_secrets(django_apps, None)


def test_the_migration_seals_plain_text_rows_and_they_still_validate(legacy_rows):
    seal_plaintext()
    totp, recovery = stored(legacy_rows["totp"]), stored(legacy_rows["recovery"])
    for plain in legacy_rows["plain"]:
        assert plain not in raw_data(legacy_rows["totp"]) + raw_data(legacy_rows["recovery"])
    sealed = (totp["secret"], recovery["seed"], *recovery["migrated_codes"])
    assert {kid_of(value) for value in sealed} == {"dev1"}
    assert recovery["used_mask"] == 0
    secret = legacy_rows["plain"][0]
    assert not validates(legacy_rows["totp"], wrong_code(secret))
    assert validates(legacy_rows["totp"], current_code(secret))
    assert validates(legacy_rows["recovery"], "33334444")
    assert not validates(legacy_rows["recovery"], "33334444")


def test_running_the_migration_again_changes_nothing(legacy_rows):
    seal_plaintext()
    before = (raw_data(legacy_rows["totp"]), raw_data(legacy_rows["recovery"]))
    seal_plaintext()
    assert (raw_data(legacy_rows["totp"]), raw_data(legacy_rows["recovery"])) == before


def test_the_reverse_migration_opens_them_again(legacy_rows):
    seal_plaintext()
    MIGRATION.open_sealed_secrets(django_apps, None)
    secret, seed, *migrated = legacy_rows["plain"]
    assert stored(legacy_rows["totp"]) == {"secret": secret}
    assert stored(legacy_rows["recovery"]) == {
        "seed": seed,
        "used_mask": 0,
        "migrated_codes": migrated,
    }


@pytest.mark.django_db(transaction=True)
def test_migrate_backwards_and_forwards_through_the_real_migration(legacy_rows):
    secret = legacy_rows["plain"][0]
    try:
        call_command("migrate", "flux_accounts", "0001_roles", verbosity=0)
        assert stored(legacy_rows["totp"]) == {"secret": secret}  # nothing sealed to open
    finally:
        call_command("migrate", "flux_accounts", verbosity=0)
    assert secret not in raw_data(legacy_rows["totp"])
    call_command("migrate", "flux_accounts", "0001_roles", verbosity=0)
    try:
        assert stored(legacy_rows["totp"]) == {"secret": secret}
    finally:
        call_command("migrate", "flux_accounts", verbosity=0)


@pytest.fixture
def sealed_under_k1(legacy_rows: dict[str, Any], settings: Any) -> dict[str, Any]:
    """The legacy rows sealed under k1; then the ring gains k2 as its newest key."""
    settings.FLUX_KEYS = K1
    seal_plaintext()
    settings.FLUX_KEYS = f"{K2},{K1}"
    return legacy_rows


def sealed_values(pk: int) -> list[str]:
    data = stored(pk)
    values: list[str] = [data[key] for key in ("secret", "seed") if key in data]
    migrated: list[str] = data.get("migrated_codes", [])
    return values + migrated


def test_rotation_rewraps_mfa_secrets_and_they_validate_under_the_new_key_alone(
    sealed_under_k1, settings
):
    rows = (sealed_under_k1["totp"], sealed_under_k1["recovery"])
    before = {pk: sealed_values(pk) for pk in rows}
    report = rotate()
    assert set(report) == {"kid", "rewrapped", "unreadable", "batches", "remaining"}
    assert (report["kid"], report["rewrapped"], report["unreadable"], report["remaining"]) == (
        "k2",
        4,
        0,
        0,
    )
    for pk in rows:
        for old, new in zip(before[pk], sealed_values(pk), strict=True):
            old_envelope = json.loads(old.removeprefix(SEALED_PREFIX))
            new_envelope = json.loads(new.removeprefix(SEALED_PREFIX))
            assert new_envelope["kid"] == "k2"
            assert new_envelope["ciphertext"] == old_envelope["ciphertext"]
            assert new_envelope["wrapped_key"] != old_envelope["wrapped_key"]
    assert stored(sealed_under_k1["recovery"])["used_mask"] == 0

    settings.FLUX_KEYS = K2  # the old key can now be dropped
    secret = sealed_under_k1["plain"][0]
    assert validates(sealed_under_k1["totp"], current_code(secret))
    assert validates(sealed_under_k1["recovery"], "11112222")
    assert rotate()["rewrapped"] == 0


def test_a_stopped_rotation_of_mfa_secrets_is_finished_by_running_again(sealed_under_k1):
    first = rotate("--batch-size", "1", "--max-batches", "1")
    assert (first["rewrapped"], first["batches"], first["remaining"]) == (1, 1, 3)
    assert kid_of(stored(sealed_under_k1["totp"])["secret"]) == "k2"
    second = rotate("--batch-size", "1")
    assert (second["rewrapped"], second["batches"], second["remaining"]) == (3, 1, 0)


def test_a_plain_text_mfa_secret_is_counted_unreadable_and_left_as_is(sealed_under_k1):
    Authenticator.objects.filter(pk=sealed_under_k1["totp"]).update(data={"secret": "PLAIN"})
    report = rotate()
    assert (report["rewrapped"], report["unreadable"], report["remaining"]) == (3, 1, 1)
    assert stored(sealed_under_k1["totp"]) == {"secret": "PLAIN"}


def test_an_unreadable_second_factor_at_sign_in_says_what_to_do_with_409(staff, settings):
    settings.FLUX_KEYS = K1
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    settings.FLUX_KEYS = K2  # the key that sealed it was retired too soon
    client = Client()
    sign_in_with_password(client)
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Your second factor can no longer be read" in page
    assert "Reconnect needed" not in page
    assert "_auth_user_id" not in client.session
