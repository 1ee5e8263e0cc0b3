"""Every encrypted column of the project refuses a ciphertext swapped in from another row,
and a tampered envelope, with CredentialUnreadable (never the other row's plaintext).

The columns are found by introspection (every EncryptedJSONField on a managed model), so a
new encrypted column is covered the day it is added. Rows are written through the ORM, the
envelopes read straight from the table and written back past the field's sealing.
"""

import base64
import itertools
import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection, models

from flux.crypto import CredentialUnreadable
from flux.fields import EncryptedJSONField
from flux.management.commands.rotate_keys import encrypted_fields

pytestmark = pytest.mark.django_db
FIELDS = encrypted_fields()
_unique = itertools.count(1)


def key_entry(kid: str, fill: int) -> str:
    return f"{kid}:{base64.b64encode(bytes([fill]) * 32).decode()}"


@pytest.fixture(autouse=True)
def _two_keys(settings: Any) -> None:
    """Both keys open; k1 seals. So a relabelled kid points at a key the ring does hold."""
    settings.FLUX_KEYS = f"{key_entry('k1', 1)},{key_entry('k2', 2)}"


def field_id(field: EncryptedJSONField) -> str:
    return f"{field.model._meta.label}.{field.name}"


def test_the_credentials_column_is_among_the_encrypted_columns_found():
    assert "integrations.Credential.secret" in {field_id(field) for field in FIELDS}


def sample_value(field: models.Field[Any, Any]) -> Any:
    """A value a required column accepts, unique where the column may need it."""
    n = next(_unique)
    if field.choices:
        return field.choices[0][0]
    kinds: list[tuple[type[models.Field[Any, Any]], Any]] = [
        (models.BooleanField, False),
        (models.EmailField, f"row{n}@flux.example"),
        (models.CharField, f"row-{n}"),
        (models.TextField, f"row {n}"),
        (models.UUIDField, uuid.uuid4()),
        (models.DateTimeField, datetime.now(UTC)),
        (models.DateField, date.today()),  # noqa: DTZ011 - any day will do
        (models.DecimalField, 0),
        (models.IntegerField, n),
        (models.FloatField, 0.0),
        (models.JSONField, {}),
    ]
    for kind, value in kinds:
        if isinstance(field, kind):
            return value
    raise AssertionError(f"no sample value for {field!r}: add one here")


def sample_row(model: type[models.Model], **given: Any) -> models.Model:
    """Create a row of `model`, filling every required column (and parent row) it has."""
    values = dict(given)
    for field in model._meta.concrete_fields:
        optional = field.primary_key or field.has_default() or field.null
        automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        if field.name in values or optional or automatic:
            continue
        if field.is_relation:
            assert field.related_model is not None
            values[field.name] = sample_row(field.related_model)  # type: ignore[arg-type]
        else:
            values[field.name] = sample_value(field)
    return model._default_manager.create(**values)


def stored(field: EncryptedJSONField, pk: object) -> dict[str, Any]:
    """Read the envelope straight from the table, past the ORM."""
    meta = field.model._meta
    quote = connection.ops.quote_name
    assert meta.pk is not None
    table, column, pk_column = (
        quote(name) for name in (meta.db_table, field.column, meta.pk.column)
    )
    sql = f"SELECT {column} FROM {table} WHERE {pk_column} = %s"  # noqa: S608 - the model's names
    with connection.cursor() as cursor:
        cursor.execute(sql, [meta.pk.get_db_prep_value(pk, connection)])
        raw = cursor.fetchone()[0]
    return raw if isinstance(raw, dict) else json.loads(raw)


def overwrite(field: EncryptedJSONField, pk: object, envelope: dict[str, Any]) -> None:
    """Put an envelope in the column as it is, without sealing it for this row."""
    field.model._base_manager.filter(pk=pk).update(**{field.attname: envelope})


def revealed(field: EncryptedJSONField, pk: object) -> Any:
    row = field.model._base_manager.get(pk=pk)
    return getattr(row, field.attname).reveal()


@pytest.mark.parametrize("field", FIELDS, ids=field_id)
def test_a_ciphertext_swapped_in_from_another_row_is_refused(field: EncryptedJSONField):
    mine = sample_row(field.model, **{field.name: {"token": "mine"}})
    theirs = sample_row(field.model, **{field.name: {"token": "theirs"}})
    overwrite(field, mine.pk, stored(field, theirs.pk))
    with pytest.raises(CredentialUnreadable):
        revealed(field, mine.pk)
    assert revealed(field, theirs.pk) == {"token": "theirs"}


@pytest.mark.parametrize("field", FIELDS, ids=field_id)
def test_two_rows_swapping_their_ciphertexts_both_refuse(field: EncryptedJSONField):
    first = sample_row(field.model, **{field.name: {"token": "first"}})
    second = sample_row(field.model, **{field.name: {"token": "second"}})
    one, two = stored(field, first.pk), stored(field, second.pk)
    overwrite(field, first.pk, two)
    overwrite(field, second.pk, one)
    for pk in (first.pk, second.pk):
        with pytest.raises(CredentialUnreadable):
            revealed(field, pk)


def flip_first_bit(encoded: str) -> str:
    raw = base64.b64decode(encoded)
    return base64.b64encode(bytes([raw[0] ^ 1]) + raw[1:]).decode()


def flip_last_bit(encoded: str) -> str:
    raw = base64.b64decode(encoded)
    return base64.b64encode(raw[:-1] + bytes([raw[-1] ^ 1])).decode()


TAMPERINGS = {
    "ciphertext": lambda e: {**e, "ciphertext": flip_first_bit(e["ciphertext"])},
    "authentication tag": lambda e: {**e, "ciphertext": flip_last_bit(e["ciphertext"])},
    "nonce": lambda e: {**e, "nonce": flip_first_bit(e["nonce"])},
    "wrapped key": lambda e: {**e, "wrapped_key": flip_first_bit(e["wrapped_key"])},
    "wrap nonce": lambda e: {**e, "wrap_nonce": flip_first_bit(e["wrap_nonce"])},
    "key id relabelled": lambda e: {**e, "kid": "k2"},
    "truncated ciphertext": lambda e: {**e, "ciphertext": e["ciphertext"][:8]},
    "version": lambda e: {**e, "v": 2},
    "missing part": lambda e: {k: v for k, v in e.items() if k != "nonce"},
    "plaintext instead": lambda e: {"token": "forged"},
}


@pytest.mark.parametrize("tampering", TAMPERINGS, ids=str)
@pytest.mark.parametrize("field", FIELDS, ids=field_id)
def test_a_tampered_envelope_is_refused(field: EncryptedJSONField, tampering: str):
    row = sample_row(field.model, **{field.name: {"token": "sealed"}})
    envelope = stored(field, row.pk)
    assert envelope["kid"] == "k1"
    overwrite(field, row.pk, TAMPERINGS[tampering](envelope))
    with pytest.raises(CredentialUnreadable):
        revealed(field, row.pk)
