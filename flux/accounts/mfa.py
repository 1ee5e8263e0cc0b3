"""Sealed MFA secrets: the TOTP secrets and recovery-code seeds in allauth's Authenticator.data.

allauth keeps each authenticator's secrets in one JSON column, mfa_authenticator.data, and
passes every one through the MFA adapter's encrypt() and decrypt(): the TOTP "secret", the
recovery codes' "seed" and each of their "migrated_codes". StaffMFAAdapter seals them with
flux.crypto, so a copy of the database alone (a backup) cannot produce second-factor codes.

Stored form: the prefix "sealed:" and the envelope as compact JSON,
    "sealed:{"v":1,"kid":"k2","wrapped_key":"...","wrap_nonce":"...",...}"
The prefix makes a sealed value recognisable without opening it (migration 0002 and
rotate_keys skip or select values by it). A value without it is refused, never trusted as
plaintext: that migration sealed every plaintext value, so one found later was written past
the adapter.
"""

import json
from collections.abc import Callable, Mapping
from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter

from flux.crypto import (
    CredentialUnreadable,
    Envelope,
    KeyRing,
    active_ring,
    open_envelope,
    rewrap,
    seal,
)

SEALED_PREFIX = "sealed:"
# The AAD names the column, not the row: encrypt() is handed only the text, before the row it
# will live on exists (TOTP.activate seals the secret, then saves the new row). So a sealed
# value copied to another authenticator row still opens there. The threat this addresses is a
# read-only leak (a backup, a replica, a dump), which a row binding would not change; whoever
# can write the table can replace an authenticator outright anyway.
MFA_AAD = b"mfa_authenticator.data"
SECRET_KEYS = ("secret", "seed")  # one secret each
SECRET_LIST_KEYS = ("migrated_codes",)  # a list of secrets each


class MFASecretUnreadable(CredentialUnreadable):
    """A stored MFA secret that cannot be opened: its owner must enrol a second factor again."""


class UnsealedMFASecret(MFASecretUnreadable):
    """An MFA secret stored without the sealed: prefix: refused rather than used as plaintext."""


def is_sealed(stored: object) -> bool:
    """Say whether a stored MFA value carries the sealed: prefix (it is not opened here)."""
    return isinstance(stored, str) and stored.startswith(SEALED_PREFIX)


def seal_mfa_secret(text: str, *, ring: KeyRing) -> str:
    """Seal one MFA secret under the ring's current key; return its stored form."""
    return _stored_form(seal(text.encode("utf-8"), aad=MFA_AAD, ring=ring))


def _stored_form(envelope: Envelope) -> str:
    return SEALED_PREFIX + json.dumps(envelope.to_json(), separators=(",", ":"))


def _envelope_of(stored: object) -> Envelope:
    if not isinstance(stored, str) or not is_sealed(stored):
        raise UnsealedMFASecret("MFA secret stored without the sealed: prefix")
    try:
        parsed = json.loads(stored.removeprefix(SEALED_PREFIX))
    except ValueError as exc:
        raise CredentialUnreadable("malformed envelope") from exc
    return Envelope.from_json(parsed)


def open_mfa_secret(stored: object, *, ring: KeyRing) -> str:
    """Open one sealed MFA secret, refusing plaintext and anything that does not open."""
    try:
        plaintext = open_envelope(_envelope_of(stored), aad=MFA_AAD, ring=ring)
    except MFASecretUnreadable:
        raise
    except CredentialUnreadable as exc:  # its key retired, or the value tampered with
        raise MFASecretUnreadable(str(exc)) from exc
    try:
        return plaintext.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MFASecretUnreadable("plaintext is not UTF-8") from exc


def rewrap_mfa_secret(stored: object, *, ring: KeyRing) -> str:
    """Re-wrap a sealed MFA secret's data key under the ring's current key, never opening it."""
    return _stored_form(rewrap(_envelope_of(stored), aad=MFA_AAD, ring=ring))


def sealed_kid(stored: object) -> str | None:
    """Return the id of the key wrapping a sealed value; None if it is no readable envelope."""
    try:
        return _envelope_of(stored).kid
    except CredentialUnreadable:
        return None


def stored_secrets(data: object) -> list[object]:
    """Return every secret value held in one Authenticator.data, as stored."""
    if not isinstance(data, Mapping):
        return []
    found = [data[key] for key in SECRET_KEYS if key in data]
    for key in SECRET_LIST_KEYS:
        values = data.get(key)
        if isinstance(values, list):
            found.extend(values)
    return found


def with_secrets_mapped(data: Any, transform: Callable[[object], object]) -> Any:
    """Return a copy of one Authenticator.data with `transform` applied to each secret value."""
    if not isinstance(data, Mapping):
        return data
    mapped = dict(data)
    for key in SECRET_KEYS:
        if key in mapped:
            mapped[key] = transform(mapped[key])
    for key in SECRET_LIST_KEYS:
        if isinstance(mapped.get(key), list):
            mapped[key] = [transform(value) for value in mapped[key]]
    return mapped


class StaffMFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter, with every stored secret sealed by the FLUX_KEYS ring."""

    def encrypt(self, text: str) -> str:
        return seal_mfa_secret(text, ring=active_ring())

    def decrypt(self, encrypted_text: str) -> str:
        return open_mfa_secret(encrypted_text, ring=active_ring())
