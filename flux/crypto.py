"""Envelope encryption of secrets at rest: AES-256-GCM data keys wrapped by a key ring.

Every sealed value gets its own random 256-bit data key and 96-bit nonce. The data key is
wrapped (AES-256-GCM again, its own nonce) by a key-encryption key from FLUX_KEYS, which never
enters the database; the envelope records which key (its id, "kid") wrapped it.

Both layers carry associated data (AAD) naming where the value lives (table, column, row), and
the wrap layer also names the kid. So a ciphertext, or a wrapped key, copied to another row or
column does not open, and neither does one whose kid was edited.

Every way of failing to open (unknown kid, tampering, a value moved, a malformed envelope)
raises one error, CredentialUnreadable: to the user they all mean "reconnect needed".

Stored form (a JSON object, base64 strings):
    {"v": 1, "kid": "k2", "wrapped_key": ..., "wrap_nonce": ..., "nonce": ..., "ciphertext": ...}
"""

import base64
import binascii
import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

ENVELOPE_VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_KID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
_FIELDS = ("v", "kid", "wrapped_key", "wrap_nonce", "nonce", "ciphertext")


class CredentialUnreadable(Exception):
    """A sealed value cannot be opened; the integration it belongs to must be reconnected."""


class KeyRingError(ValueError):
    """FLUX_KEYS is malformed: not comma-separated id:base64 pairs of 32-byte keys."""


@dataclass(frozen=True, repr=False)
class KeyRing:
    """Key-encryption keys by id; the first one seals, every one opens."""

    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def from_setting(cls, value: str) -> "KeyRing":
        """Parse "id:base64,id:base64" into a ring, refusing anything malformed."""
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        if not entries:
            raise KeyRingError("FLUX_KEYS is empty")
        keys = tuple(_parse_entry(entry) for entry in entries)
        if len({kid for kid, _ in keys}) != len(keys):
            raise KeyRingError("FLUX_KEYS names the same key id twice")
        return cls(keys=keys)

    @property
    def current_kid(self) -> str:
        """Return the id of the key that seals new values (the first)."""
        return self.keys[0][0]

    def key(self, kid: str) -> bytes:
        """Return the key with this id, or refuse as unreadable."""
        for candidate, key in self.keys:
            if candidate == kid:
                return key
        raise CredentialUnreadable(f"no key with id {kid!r} in FLUX_KEYS")

    def __repr__(self) -> str:
        # Key ids only: the ring must never print its keys.
        return f"KeyRing(kids={[kid for kid, _ in self.keys]!r})"


def _parse_entry(entry: str) -> tuple[str, bytes]:
    kid, _, encoded = entry.partition(":")
    kid = kid.strip()
    if not _KID.match(kid):
        raise KeyRingError(f"FLUX_KEYS key id {kid!r} must be 1-32 of A-Z a-z 0-9 _ . -")
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyRingError(f"FLUX_KEYS key {kid!r} is not valid base64") from exc
    if len(key) != KEY_BYTES:
        raise KeyRingError(f"FLUX_KEYS key {kid!r} is {len(key)} bytes, not {KEY_BYTES}")
    return kid, key


@functools.lru_cache(maxsize=4)
def _ring_for(value: str) -> KeyRing:
    return KeyRing.from_setting(value)


def active_ring() -> KeyRing:
    """Return the ring configured in settings.FLUX_KEYS (parsed once per distinct value)."""
    return _ring_for(settings.FLUX_KEYS)


@dataclass(frozen=True, repr=False)
class Envelope:
    """A sealed value: ciphertext under a data key, and that key wrapped under a ring key."""

    kid: str
    wrapped_key: bytes
    wrap_nonce: bytes
    nonce: bytes
    ciphertext: bytes

    def to_json(self) -> dict[str, str | int]:
        """Return the stored form: a small JSON object of base64 strings."""
        return {
            "v": ENVELOPE_VERSION,
            "kid": self.kid,
            "wrapped_key": _b64(self.wrapped_key),
            "wrap_nonce": _b64(self.wrap_nonce),
            "nonce": _b64(self.nonce),
            "ciphertext": _b64(self.ciphertext),
        }

    @classmethod
    def from_json(cls, stored: object) -> "Envelope":
        """Parse the stored form, refusing anything that is not a well-formed envelope."""
        if not isinstance(stored, Mapping) or set(stored) != set(_FIELDS):
            raise CredentialUnreadable("malformed envelope")
        version, kid = stored["v"], stored["kid"]
        if version != ENVELOPE_VERSION or isinstance(version, bool) or not _is_kid(kid):
            raise CredentialUnreadable("unsupported envelope version or key id")
        envelope = cls(
            kid=kid,
            wrapped_key=_unb64(stored["wrapped_key"]),
            wrap_nonce=_unb64(stored["wrap_nonce"]),
            nonce=_unb64(stored["nonce"]),
            ciphertext=_unb64(stored["ciphertext"]),
        )
        envelope._check_sizes()
        return envelope

    def _check_sizes(self) -> None:
        if (
            len(self.wrapped_key) != KEY_BYTES + TAG_BYTES
            or len(self.wrap_nonce) != NONCE_BYTES
            or len(self.nonce) != NONCE_BYTES
            or len(self.ciphertext) < TAG_BYTES
        ):
            raise CredentialUnreadable("malformed envelope")

    def __repr__(self) -> str:
        return f"Envelope(kid={self.kid!r})"


def _is_kid(kid: object) -> bool:
    return isinstance(kid, str) and _KID.match(kid) is not None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(encoded: object) -> bytes:
    if not isinstance(encoded, str):
        raise CredentialUnreadable("malformed envelope")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CredentialUnreadable("malformed envelope") from exc


# Domain-separated AAD: a data ciphertext can never pass as a wrapped key, or the reverse.
# The kid is checked against _KID (no NUL), and the caller's AAD comes last, so the
# NUL-joined encoding is unambiguous.
def _data_aad(aad: bytes) -> bytes:
    return b"flux-envelope/1/data\x00" + aad


def _wrap_aad(aad: bytes, kid: str) -> bytes:
    return b"flux-envelope/1/wrap\x00" + kid.encode("ascii") + b"\x00" + aad


def seal(plaintext: bytes, *, aad: bytes, ring: KeyRing) -> Envelope:
    """Encrypt under a fresh data key, wrapped by the ring's current key, bound to aad."""
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, _data_aad(aad))
    return _wrapped(data_key, nonce=nonce, ciphertext=ciphertext, aad=aad, ring=ring)


def _wrapped(
    data_key: bytes, *, nonce: bytes, ciphertext: bytes, aad: bytes, ring: KeyRing
) -> Envelope:
    kid = ring.current_kid
    wrap_nonce = os.urandom(NONCE_BYTES)
    wrapped_key = AESGCM(ring.key(kid)).encrypt(wrap_nonce, data_key, _wrap_aad(aad, kid))
    return Envelope(kid, wrapped_key, wrap_nonce, nonce, ciphertext)


def _unwrap(envelope: Envelope, *, aad: bytes, ring: KeyRing) -> bytes:
    kek = AESGCM(ring.key(envelope.kid))
    try:
        return kek.decrypt(envelope.wrap_nonce, envelope.wrapped_key, _wrap_aad(aad, envelope.kid))
    except InvalidTag as exc:
        raise CredentialUnreadable("wrapped key does not open for this row") from exc


def open_envelope(envelope: Envelope, *, aad: bytes, ring: KeyRing) -> bytes:
    """Decrypt a sealed value, refusing it if anything differs from when it was sealed."""
    data_key = _unwrap(envelope, aad=aad, ring=ring)
    try:
        return AESGCM(data_key).decrypt(envelope.nonce, envelope.ciphertext, _data_aad(aad))
    except InvalidTag as exc:
        raise CredentialUnreadable("ciphertext does not open for this row") from exc


def rewrap(envelope: Envelope, *, aad: bytes, ring: KeyRing) -> Envelope:
    """Re-wrap the data key under the ring's current key; the ciphertext is left untouched.

    The plaintext is never decrypted here, so key rotation cannot leak or rewrite it.
    """
    data_key = _unwrap(envelope, aad=aad, ring=ring)
    return _wrapped(
        data_key, nonce=envelope.nonce, ciphertext=envelope.ciphertext, aad=aad, ring=ring
    )
