"""Bulk upsert keyed on the provider's ids, writing only rows that are new or changed."""

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import models

from integrations.sync.engine import WriteCounts

M = TypeVar("M", bound=models.Model)


def upsert_changed(
    model: type[M],
    rows: Sequence[M],
    *,
    key_fields: Sequence[str],
    compare_fields: Sequence[str],
) -> tuple[WriteCounts, list[M]]:
    """Insert new rows and update changed ones in one statement; return counts and the written.

    Rows equal to what is stored (on `compare_fields`) are skipped, so a re-run writes nothing.
    The returned rows carry their primary keys, for writing their children.
    """
    stored = _stored_values(model, rows, key_fields, compare_fields)
    new = [row for row in rows if _key(row, key_fields) not in stored]
    changed = [
        row
        for row in rows
        if (key := _key(row, key_fields)) in stored and stored[key] != _values(row, compare_fields)
    ]
    written = new + changed
    if written:
        model._default_manager.bulk_create(
            written,
            update_conflicts=True,
            unique_fields=list(key_fields),
            update_fields=list(compare_fields),
        )
    return WriteCounts(inserted=len(new), updated=len(changed)), written


def _stored_values(
    model: type[models.Model],
    rows: Sequence[models.Model],
    key_fields: Sequence[str],
    compare_fields: Sequence[str],
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    if not rows:
        return {}
    *scope_fields, id_field = key_fields
    scope = {f: getattr(rows[0], _attname(model, f)) for f in scope_fields}
    ids = [getattr(row, _attname(model, id_field)) for row in rows]
    found = model._default_manager.filter(**scope, **{f"{id_field}__in": ids}).values_list(
        *key_fields, *compare_fields
    )
    width = len(key_fields)
    return {tuple(values[:width]): tuple(values[width:]) for values in found}


def _attname(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).attname  # type: ignore[union-attr]


def _key(row: models.Model, key_fields: Sequence[str]) -> tuple[Any, ...]:
    return tuple(getattr(row, _attname(type(row), f)) for f in key_fields)


def _values(row: models.Model, fields: Sequence[str]) -> tuple[Any, ...]:
    return tuple(getattr(row, _attname(type(row), f)) for f in fields)
