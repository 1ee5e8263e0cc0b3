"""Envelope encryption: sealing, opening, binding to a row, and re-wrapping."""

import base64
import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flux.checks import check_key_ring
from flux.crypto import (
    CredentialUnreadable,
    Envelope,
    KeyRing,
    KeyRingError,
    open_envelope,
    rewrap,
    seal,
)


def key_entry(kid: str, fill: int) -> str:
    return f"{kid}:{base64.b64encode(bytes([fill]) * 32).decode()}"


OLD = KeyRing.from_setting(key_entry("k1", 1))
NEW = KeyRing.from_setting(f"{key_entry('k2', 2)},{key_entry('k1', 1)}")
AAD = b"integrations_credential.secret.7b0c"
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)


def flipped(raw: bytes, at: int = 0) -> bytes:
    return raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1 :]


def test_the_first_key_of_the_ring_seals_and_every_key_is_known():
    assert NEW.current_kid == "k2"
    assert NEW.key("k1") == bytes([1]) * 32


@pytest.mark.parametrize(
    "setting",
    [
        "",
        "k1",
        "k1:not-base64!",
        f"k1:{base64.b64encode(b'short').decode()}",
        f"{key_entry('k1', 1)},{key_entry('k1', 2)}",
        key_entry("bad id", 1),
    ],
)
def test_a_malformed_key_ring_is_refused_with_a_named_error(setting):
    with pytest.raises(KeyRingError):
        KeyRing.from_setting(setting)


def test_the_ring_never_prints_its_keys():
    assert base64.b64encode(bytes([2]) * 32).decode() not in repr(NEW)
    assert repr(NEW) == "KeyRing(kids=['k2', 'k1'])"


def test_a_sealed_value_opens_with_the_same_aad():
    envelope = seal(b"token-123", aad=AAD, ring=NEW)
    assert envelope.kid == "k2"
    assert open_envelope(envelope, aad=AAD, ring=NEW) == b"token-123"


def test_each_seal_uses_a_fresh_data_key_and_nonces():
    first, second = seal(b"same", aad=AAD, ring=NEW), seal(b"same", aad=AAD, ring=NEW)
    assert first.wrapped_key != second.wrapped_key
    assert first.nonce != second.nonce
    assert first.wrap_nonce != second.wrap_nonce
    assert first.ciphertext != second.ciphertext


def test_the_stored_form_is_small_json_and_parses_back():
    envelope = seal(b"token-123", aad=AAD, ring=NEW)
    stored = json.loads(json.dumps(envelope.to_json()))
    assert set(stored) == {"v", "kid", "wrapped_key", "wrap_nonce", "nonce", "ciphertext"}
    assert stored["v"] == 1
    assert Envelope.from_json(stored) == envelope
    assert "token-123" not in json.dumps(stored)


def test_a_value_sealed_for_one_row_does_not_open_for_another():
    envelope = seal(b"token-123", aad=b"t.secret.row-a", ring=NEW)
    with pytest.raises(CredentialUnreadable):
        open_envelope(envelope, aad=b"t.secret.row-b", ring=NEW)


@pytest.mark.parametrize("part", ["ciphertext", "nonce", "wrapped_key", "wrap_nonce"])
def test_a_tampered_envelope_is_refused(part):
    envelope = seal(b"token-123", aad=AAD, ring=NEW)
    tampered = dataclasses.replace(envelope, **{part: flipped(getattr(envelope, part))})  # type: ignore[arg-type]
    with pytest.raises(CredentialUnreadable):
        open_envelope(tampered, aad=AAD, ring=NEW)


def test_a_wrapped_key_moved_to_another_envelope_is_refused():
    mine, theirs = seal(b"mine", aad=AAD, ring=NEW), seal(b"theirs", aad=AAD, ring=NEW)
    swapped = dataclasses.replace(
        mine, wrapped_key=theirs.wrapped_key, wrap_nonce=theirs.wrap_nonce
    )
    with pytest.raises(CredentialUnreadable):
        open_envelope(swapped, aad=AAD, ring=NEW)


def test_relabelling_the_key_id_is_refused_even_when_both_keys_are_known():
    same_key_twice = KeyRing.from_setting(f"{key_entry('k2', 2)},{key_entry('k9', 2)}")
    envelope = seal(b"token-123", aad=AAD, ring=same_key_twice)
    with pytest.raises(CredentialUnreadable):
        open_envelope(dataclasses.replace(envelope, kid="k9"), aad=AAD, ring=same_key_twice)


def test_an_unknown_key_id_is_refused():
    envelope = seal(b"token-123", aad=AAD, ring=NEW)
    with pytest.raises(CredentialUnreadable, match="k2"):
        open_envelope(envelope, aad=AAD, ring=OLD)


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "text",
        {},
        {"v": 2, "kid": "k1", "wrapped_key": "", "wrap_nonce": "", "nonce": "", "ciphertext": ""},
        {"v": 1, "kid": "k1", "wrapped_key": "%%", "wrap_nonce": "", "nonce": "", "ciphertext": ""},
        {"v": 1, "kid": "k1", "wrapped_key": "", "wrap_nonce": "", "nonce": "", "ciphertext": ""},
    ],
)
def test_a_malformed_envelope_is_refused_with_the_same_error(stored):
    with pytest.raises(CredentialUnreadable):
        Envelope.from_json(stored)


def test_rewrapping_moves_the_data_key_to_the_newest_key_and_keeps_the_ciphertext():
    envelope = seal(b"token-123", aad=AAD, ring=OLD)
    fresh = rewrap(envelope, aad=AAD, ring=NEW)
    assert (fresh.kid, fresh.ciphertext, fresh.nonce) == ("k2", envelope.ciphertext, envelope.nonce)
    assert fresh.wrapped_key != envelope.wrapped_key
    newest_only = KeyRing.from_setting(key_entry("k2", 2))
    assert open_envelope(fresh, aad=AAD, ring=newest_only) == b"token-123"


def test_rewrapping_for_the_wrong_row_is_refused():
    envelope = seal(b"token-123", aad=AAD, ring=OLD)
    with pytest.raises(CredentialUnreadable):
        rewrap(envelope, aad=b"t.secret.other", ring=NEW)


def test_an_envelope_never_prints_its_contents():
    envelope = seal(b"token-123", aad=AAD, ring=NEW)
    assert repr(envelope) == "Envelope(kid='k2')"


@given(json_values)
def test_any_json_value_survives_a_round_trip(value):
    plaintext = json.dumps(value).encode()
    envelope = Envelope.from_json(
        json.loads(json.dumps(seal(plaintext, aad=AAD, ring=NEW).to_json()))
    )
    assert json.loads(open_envelope(envelope, aad=AAD, ring=NEW)) == value


def test_the_system_check_refuses_a_malformed_key_ring(settings):
    settings.FLUX_KEYS = "k1:too-short"
    assert [error.id for error in check_key_ring()] == ["flux.E202"]


def test_the_system_check_accepts_a_well_formed_key_ring(settings):
    settings.FLUX_KEYS = f"{key_entry('k2', 2)},{key_entry('k1', 1)}"
    assert check_key_ring() == []
