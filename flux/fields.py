"""EncryptedJSONField: the one model field for tokens and secrets, sealed with flux.crypto.

Usage:
    secret = EncryptedJSONField()           # on a model whose UUID pk has default=uuid.uuid4
    row.secret = {"access_token": "..."}    # assign any JSON value; sealed when the row is saved
    row.secret = None                       # SQL NULL (no secret), on a field with null=True
    row.secret.reveal()["access_token"]     # opened lazily, with this row's AAD
    new.secret = old.secret                 # copies the value; re-sealed for the new row

Reading a row never decrypts anything: the column loads as a Secret holding the envelope, and
only reveal() opens it. That is because from_db_value cannot see the row, while the AAD binds
the value to it ("<db_table>.<column>.<pk>"); the descriptor, which does see the row, supplies it.

Saving a row whose secret was neither reassigned nor changed writes the same envelope back,
byte for byte, so touching other columns never re-encrypts. The pk must exist before the value
is sealed (it is part of the AAD), so the field requires a pk with a Python default; a system
check refuses any other model.

The column itself is a JSONField holding the envelope object, so queries such as
`secret__kid="k1"` work on SQLite and PostgreSQL (rotate_keys relies on them). A Secret never
shows its plaintext in repr() or str(), and a pickled Secret carries only the envelope.
"""

import copy
import json
from typing import Any, TypeAlias

from django.core import checks
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression
from django.db.models.fields.json import KeyTransform
from django.db.models.query_utils import DeferredAttribute

from flux.crypto import CredentialUnreadable, Envelope, active_ring, open_envelope, seal

JSONValue: TypeAlias = Any  # None, bool, int, float, str, list or dict of JSON values
_UNSET: Any = object()


def _canonical(value: JSONValue) -> str:
    """Serialise a JSON value the one way it is sealed, refusing what JSON cannot hold."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


class Secret:
    """A secret column's value on one row: the envelope at rest, plaintext only via reveal()."""

    __slots__ = ("_aad", "_opened_json", "_stored", "_value")

    def __init__(self, *, stored: object = None, value: JSONValue = _UNSET) -> None:
        self._stored = stored  # the envelope object as read or last written; None when unsealed
        self._value = value  # the plaintext, once revealed or assigned
        self._opened_json: str | None = None  # canonical JSON of what _stored holds, once known
        self._aad: str | None = None  # the AAD _stored is bound to, once known

    @classmethod
    def of(cls, value: JSONValue) -> "Secret":
        """Wrap a plaintext JSON value, to be sealed when its row is saved."""
        _canonical(value)  # fail at assignment, not at save, on a value JSON cannot hold
        return cls(value=copy.deepcopy(value))

    @property
    def stored(self) -> object:
        """Return the envelope object as stored (no plaintext), or None before the first save."""
        return self._stored

    @property
    def kid(self) -> str | None:
        """Return the id of the key that wraps this value, or None when unsealed."""
        kid = self._stored.get("kid") if isinstance(self._stored, dict) else None
        return kid if isinstance(kid, str) else None

    def reveal(self) -> JSONValue:
        """Return the plaintext, opening the envelope on first use."""
        if self._value is _UNSET:
            self._value = json.loads(self._open())
        return self._value

    def _open(self) -> str:
        if self._aad is None:
            raise CredentialUnreadable("secret read outside its row (use row.<field>.reveal())")
        envelope = Envelope.from_json(self._stored)
        plaintext = open_envelope(envelope, aad=self._aad.encode(), ring=active_ring())
        try:
            self._opened_json = plaintext.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CredentialUnreadable("plaintext is not UTF-8 JSON") from exc
        return self._opened_json

    def is_dirty(self) -> bool:
        """Say whether the plaintext differs from what the stored envelope holds."""
        if self._stored is None:
            return True
        return self._value is not _UNSET and _canonical(self._value) != self._opened_json

    def stored_for(self, aad: str) -> object:
        """Return the envelope to store under aad, sealing only if the value or its row changed."""
        if not self.is_dirty() and self._aad in (None, aad):
            self._aad = aad
            return self._stored
        plaintext = _canonical(self.reveal())
        envelope = seal(plaintext.encode("utf-8"), aad=aad.encode(), ring=active_ring())
        self._stored = envelope.to_json()
        self._opened_json, self._aad = plaintext, aad
        return self._stored

    def bind(self, aad: str) -> None:
        """Record which row a freshly loaded envelope belongs to (first binding wins)."""
        if self._aad is None and self._stored is not None:
            self._aad = aad

    def clone(self) -> "Secret":
        """Return an independent copy (the plaintext, if known, is copied in memory only)."""
        value = self._value if self._value is _UNSET else copy.deepcopy(self._value)
        twin = Secret(stored=copy.deepcopy(self._stored), value=value)
        twin._opened_json, twin._aad = self._opened_json, self._aad
        return twin

    def __copy__(self) -> "Secret":
        return self.clone()

    def __deepcopy__(self, memo: dict[int, object]) -> "Secret":
        return self.clone()

    def __getstate__(self) -> tuple[object, str | None]:
        # Pickles (caches, queues) carry the envelope only, never the plaintext.
        if self.is_dirty():
            raise TypeError("an unsaved secret cannot be pickled; save its row first")
        return (self._stored, self._aad)

    def __setstate__(self, state: tuple[object, str | None]) -> None:
        self._stored, self._aad = state
        self._value, self._opened_json = _UNSET, None

    def __repr__(self) -> str:
        return "<Secret unsaved>" if self._stored is None else f"<Secret kid={self.kid!r}>"

    __str__ = __repr__


class SecretAttribute(DeferredAttribute):
    """Hold the column as a Secret on the instance and tell it which row it belongs to."""

    field: "EncryptedJSONField"

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        value = super().__get__(instance, cls)
        if isinstance(value, Secret) and instance is not None and instance.pk is not None:
            value.bind(self.field.aad_for(instance.pk))
        return value

    def __set__(self, instance: Any, value: object) -> None:
        if isinstance(value, Secret):
            value = value.clone()  # rows never share one mutable Secret
        elif value is not None:
            value = Secret.of(value)
        instance.__dict__[self.field.attname] = value


class EncryptedJSONField(models.JSONField):
    """A JSON value sealed with envelope encryption, bound to its table, column and row."""

    descriptor_class = SecretAttribute
    _pyi_private_set_type: Any
    _pyi_private_get_type: Secret

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)  # never in a form: secrets are set by code
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, path, args, kwargs

    def aad_for(self, pk: object) -> str:
        """Return the associated data naming this column on the row with this pk."""
        meta = self.model._meta
        return f"{meta.db_table}.{self.column}.{meta.pk.to_python(pk)}"

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> Any:
        parsed = super().from_db_value(value, expression, connection)
        if parsed is None or isinstance(expression, KeyTransform):
            return parsed  # a key such as secret__kid is envelope metadata, not a secret
        return Secret(stored=parsed)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        secret = getattr(model_instance, self.attname)
        if secret is None:
            return None
        if model_instance.pk is None:
            raise ValueError("a secret is bound to its row's pk: set the pk before saving")
        return secret.stored_for(self.aad_for(model_instance.pk))

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Secret):
            if value.is_dirty():
                raise ValueError("a changed secret is sealed by save(), not by update()")
            return super().get_prep_value(value.stored)
        return super().get_prep_value(value)

    def value_to_string(self, obj: models.Model) -> Any:
        secret = self.value_from_object(obj)
        return None if secret is None else secret.stored_for(self.aad_for(obj.pk))

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        # Skip JSONField's json.dumps: a Secret's plaintext was checked when it was assigned.
        models.Field.validate(self, value, model_instance)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [*super().check(**kwargs), *self._check_pk_has_default()]

    def _check_pk_has_default(self) -> list[checks.CheckMessage]:
        pk = self.model._meta.pk
        if pk is not None and pk.has_default():
            return []
        hint = "Use id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)."
        message = "EncryptedJSONField needs a pk with a default: the pk is sealed into the AAD."
        return [checks.Error(message, hint=hint, obj=self, id="flux.E201")]
