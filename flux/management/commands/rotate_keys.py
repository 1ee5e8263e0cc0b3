"""Re-wrap every sealed value's data key under the newest FLUX_KEYS key.

Rows are processed per model and field, in pk order, in batches that each commit on their own,
so a run stopped midway is finished by running it again: rows already under the newest key are
never selected. Only the wrapped key and its id change; the ciphertext (and so the plaintext)
is never decrypted or written.

The MFA secrets sealed inside allauth's Authenticator.data (flux/accounts/mfa.py) are rotated
the same way after the columns, in batches of rows; the counts are per sealed value, so one row
of recovery codes may count several.
"""

import json
from dataclasses import asdict, dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, models, transaction

from flux.accounts.mfa import (
    rewrap_mfa_secret,
    sealed_kid,
    stored_secrets,
    with_secrets_mapped,
)
from flux.crypto import CredentialUnreadable, Envelope, KeyRing, active_ring, rewrap
from flux.fields import EncryptedJSONField


@dataclass
class RotationReport:
    """What a run did: counts only, never values."""

    kid: str
    rewrapped: int = 0
    unreadable: int = 0
    batches: int = 0
    remaining: int = 0


def encrypted_fields() -> list[EncryptedJSONField]:
    """Return every EncryptedJSONField on a concrete, managed model."""
    return [
        field
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
        for field in model._meta.local_fields
        if isinstance(field, EncryptedJSONField)
    ]


def _stale(field: EncryptedJSONField, kid: str) -> "models.QuerySet[Any]":
    rows = field.model._base_manager.filter(**{f"{field.attname}__isnull": False})
    return rows.exclude(**{f"{field.attname}__kid": kid}).order_by("pk")


def _rewrap_row(field: EncryptedJSONField, pk: Any, stored: object, ring: KeyRing) -> bool:
    aad = field.aad_for(pk).encode()
    try:
        fresh = rewrap(Envelope.from_json(stored), aad=aad, ring=ring)
    except CredentialUnreadable:
        return False  # left as is: its connection shows "reconnect needed"
    field.model._base_manager.filter(pk=pk).update(**{field.attname: fresh.to_json()})
    return True


def _rotate_batch(
    field: EncryptedJSONField, *, after: Any, size: int, ring: KeyRing, report: RotationReport
) -> Any:
    """Re-wrap one batch in its own transaction; return the last pk seen, or None when done."""
    with transaction.atomic():
        rows = _stale(field, ring.current_kid)
        if after is not None:
            rows = rows.filter(pk__gt=after)  # skip past rows that could not be re-wrapped
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        batch = list(rows.values_list("pk", field.attname)[:size])
        for pk, secret in batch:
            ok = _rewrap_row(field, pk, secret.stored, ring)
            report.rewrapped += ok
            report.unreadable += not ok
    return batch[-1][0] if batch else None


def _stale_mfa_values(data: object, kid: str) -> int:
    """Count the secrets in one Authenticator.data not sealed under `kid` (plaintext included)."""
    return sum(sealed_kid(value) != kid for value in stored_secrets(data))


def _stale_authenticators(kid: str) -> list[tuple[Any, int]]:
    """Return (pk, stale value count) of each authenticator holding a value not under `kid`.

    The kid sits inside a string in the JSON, out of reach of a query portable to SQLite and
    PostgreSQL, so rows are scanned here; there is a handful per staff member.
    """
    rows = Authenticator.objects.order_by("pk").values_list("pk", "data")
    counted = ((pk, _stale_mfa_values(data, kid)) for pk, data in rows.iterator())
    return [(pk, stale) for pk, stale in counted if stale]


def _rewrap_mfa_value(value: object, ring: KeyRing, report: RotationReport) -> object:
    if sealed_kid(value) == ring.current_kid:
        return value
    try:
        fresh = rewrap_mfa_secret(value, ring=ring)
    except CredentialUnreadable:
        report.unreadable += 1  # left as is: its owner re-enrols
        return value
    report.rewrapped += 1
    return fresh


def _rotate_mfa_batch(pks: list[Any], *, ring: KeyRing, report: RotationReport) -> None:
    """Re-wrap the stale MFA secrets of these authenticators in one transaction."""
    with transaction.atomic():
        rows = Authenticator.objects.filter(pk__in=pks).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        for pk, data in rows.values_list("pk", "data"):  # read again, under the lock
            fresh = with_secrets_mapped(data, lambda v: _rewrap_mfa_value(v, ring, report))
            if fresh != data:
                Authenticator.objects.filter(pk=pk).update(data=fresh)


def _rotate_mfa(
    *, size: int, max_batches: int | None, ring: KeyRing, report: RotationReport
) -> None:
    pks = [pk for pk, _ in _stale_authenticators(ring.current_kid)]
    for start in range(0, len(pks), size):
        if max_batches is not None and report.batches >= max_batches:
            return
        _rotate_mfa_batch(pks[start : start + size], ring=ring, report=report)
        report.batches += 1


def _remaining(kid: str) -> int:
    columns = sum(_stale(field, kid).count() for field in encrypted_fields())
    return columns + sum(stale for _, stale in _stale_authenticators(kid))


def rotate_keys(*, batch_size: int = 500, max_batches: int | None = None) -> RotationReport:
    """Re-wrap every value not under the newest key, batch by batch."""
    ring = active_ring()
    report = RotationReport(kid=ring.current_kid)
    for field in encrypted_fields():
        after = None
        while max_batches is None or report.batches < max_batches:
            after = _rotate_batch(field, after=after, size=batch_size, ring=ring, report=report)
            if after is None:
                break
            report.batches += 1
    _rotate_mfa(size=batch_size, max_batches=max_batches, ring=ring, report=report)
    report.remaining = _remaining(ring.current_kid)
    return report


class Command(BaseCommand):
    help = "Re-wrap every sealed credential's data key under the first FLUX_KEYS key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--max-batches", type=int, default=None, help="stop after N batches")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        report = rotate_keys(batch_size=options["batch_size"], max_batches=options["max_batches"])
        if options["json"]:
            self.stdout.write(json.dumps(asdict(report)))
            return
        self.stdout.write(
            f"Re-wrapped {report.rewrapped} value(s) under key {report.kid!r} "
            f"in {report.batches} batch(es); {report.remaining} remain under older keys, "
            f"{report.unreadable} of them unreadable this run."
        )
        if report.remaining:
            self.stdout.write("Keep the old keys in FLUX_KEYS until 0 remain (re-run to resume).")
