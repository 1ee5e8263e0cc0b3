"""Write many reconciliation rows fast: COPY new rows on PostgreSQL, upsert the changed."""

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models

BATCH = 2000
COPY_FROM = 1000  # below this many new rows a plain INSERT is as quick


def rows_write(
    model: type[models.Model],
    *,
    new: Sequence[dict[str, Any]],
    changed: Sequence[dict[str, Any]],
    key: str,
) -> int:
    """Insert `new` rows and upsert `changed` ones (dicts of field name -> value)."""
    if connection.vendor == "postgresql" and len(new) >= COPY_FROM:
        _copy(model, new)
        _upsert(model, changed, key)
    else:
        _upsert(model, [*new, *changed], key)
    return len(new) + len(changed)


def _upsert(model: type[models.Model], rows: Sequence[dict[str, Any]], key: str) -> None:
    """Insert or update rows keyed on `key`, in batches."""
    if not rows:
        return
    fields = [name for name in rows[0] if name != key]
    objects = [model(**row) for row in rows]
    model._default_manager.bulk_create(
        objects,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=[key],
        update_fields=fields,
    )


def _copy(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Stream brand-new rows into the table with COPY."""
    names = list(rows[0])
    columns = [model._meta.get_field(name).column for name in names]  # type: ignore[union-attr]
    json_fields = {n for n in names if isinstance(model._meta.get_field(n), models.JSONField)}
    table = connection.ops.quote_name(str(model._meta.db_table))
    quoted = ", ".join(connection.ops.quote_name(str(c)) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([json.dumps(row[n]) if n in json_fields else row[n] for n in names])


def pks_existing(model: type[models.Model], key: str, pks: Sequence[int]) -> set[int]:
    """Return which of `pks` already have a row."""
    manager = model._default_manager
    found: set[int] = set()
    for start in range(0, len(pks), 20_000):
        chunk = pks[start : start + 20_000]
        found.update(manager.filter(**{f"{key}__in": chunk}).values_list(key, flat=True))
    return found
