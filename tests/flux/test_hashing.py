"""The keyed hash that stands in for an email address or another personal identifier."""

import hashlib
import hmac

from flux.hashing import hash_email, hash_identifier


def test_an_email_is_trimmed_and_lowercased_before_hashing():
    assert hash_email("  Ada@Example.COM \n") == hash_email("ada@example.com")


def test_the_hash_is_hmac_sha256_keyed_with_the_hash_key_in_hex(settings):
    settings.FLUX_HASH_KEY = "a-test-hash-key-of-enough-length!"
    expected = hmac.new(
        b"a-test-hash-key-of-enough-length!", b"ada@example.com", hashlib.sha256
    ).hexdigest()
    assert hash_email("Ada@Example.com") == expected
    assert len(expected) == 64
    assert int(expected, 16) >= 0


def test_different_keys_give_different_hashes(settings):
    settings.FLUX_HASH_KEY = "first-key-first-key-first-key-00"
    first = hash_email("ada@example.com")
    settings.FLUX_HASH_KEY = "second-key-second-key-second-key"
    assert hash_email("ada@example.com") != first


def test_the_hash_is_not_a_plain_unkeyed_digest():
    assert hash_email("ada@example.com") != hashlib.sha256(b"ada@example.com").hexdigest()


def test_an_identifier_is_hashed_as_given_without_normalising():
    assert hash_identifier("Order-42") != hash_identifier("order-42")
    assert hash_identifier("order-42") == hash_identifier("order-42")
