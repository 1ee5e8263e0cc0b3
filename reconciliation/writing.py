"""Write many reconciliation rows fast, touching only the rows whose values changed.

On PostgreSQL the rows are streamed with COPY into a temporary table and merged with one
INSERT ... ON CONFLICT DO UPDATE ... WHERE the values are distinct, so the database does the
comparing and RETURNING says which rows were written. Elsewhere (SQLite, small data) the
stored values are read back and compared in Python.
"""

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.db import connection, models

BATCH = 2000
CHUNK = 20_000


def rows_store(
    model: type[models.Model], key: str, rows: dict[int, dict[str, Any]], compared: Sequence[str]
) -> dict[int, dict[str, Any]]:
    """Write the rows that are new or differ from the stored ones; return those written."""
    if not rows:
        return {}
    if connection.vendor == "postgresql":
        written = _merge(model, key, list(rows.values()), compared)
    else:
        written = _compare_and_upsert(model, key, rows, compared)
    return {pk: rows[pk] for pk in written}


def _compare_and_upsert(
    model: type[models.Model], key: str, rows: dict[int, dict[str, Any]], compared: Sequence[str]
) -> list[int]:
    """Read the stored values back, compare them in Python and upsert what differs."""
    stored: dict[int, tuple[Any, ...]] = {}
    pks = list(rows)
    for start in range(0, len(pks), CHUNK):
        found = model._default_manager.filter(**{f"{key}__in": pks[start : start + CHUNK]})
        stored.update((v[0], v[1:]) for v in found.values_list(key, *compared))
    written = [pk for pk, row in rows.items() if stored.get(pk) != tuple(row[f] for f in compared)]
    if written:
        fields = [name for name in rows[written[0]] if name != key]
        model._default_manager.bulk_create(
            [model(**rows[pk]) for pk in written],
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=[key],
            update_fields=fields,
        )
    return written


def _merge(
    model: type[models.Model], key: str, rows: list[dict[str, Any]], compared: Sequence[str]
) -> list[int]:
    """COPY rows into a temporary table, then merge only those that differ."""
    names = list(rows[0])
    column = {n: str(model._meta.get_field(n).column) for n in names}  # type: ignore[union-attr]
    q = connection.ops.quote_name
    table, stage = q(str(model._meta.db_table)), q(f"stage_{model._meta.db_table}")
    cols = ", ".join(q(column[n]) for n in names)
    updates = ", ".join(f"{q(column[n])} = EXCLUDED.{q(column[n])}" for n in names if n != key)
    old = ", ".join(f"{table}.{q(column[n])}" for n in compared)
    new = ", ".join(f"EXCLUDED.{q(column[n])}" for n in compared)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(f"CREATE TEMP TABLE {stage} (LIKE {table}) ON COMMIT DROP")
        _copy(cursor, f"COPY {stage} ({cols}) FROM STDIN", model, names, rows)
        cursor.execute(
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage} "  # noqa: S608 - model names
            f"ON CONFLICT ({q(column[key])}) DO UPDATE SET {updates} "
            f"WHERE ({old}) IS DISTINCT FROM ({new}) RETURNING {q(column[key])}"
        )
        return [int(found[0]) for found in cursor.fetchall()]


def _copy(
    cursor: Any, sql: str, model: type[models.Model], names: list[str], rows: list[dict[str, Any]]
) -> None:
    """Stream rows through COPY, JSON fields rendered as text."""
    json_fields = {n for n in names if isinstance(model._meta.get_field(n), models.JSONField)}
    plain = [n for n in names if n not in json_fields]
    order = plain + [n for n in names if n in json_fields]
    with cursor.cursor.copy(sql.replace(_columns_of(sql), _quoted(model, order))) as copy:
        for row in rows:
            copy.write_row([row[n] for n in plain] + [_json(row[n]) for n in order[len(plain) :]])


def _columns_of(sql: str) -> str:
    return sql[sql.index("(") : sql.index(")") + 1]


def _quoted(model: type[models.Model], names: list[str]) -> str:
    q = connection.ops.quote_name
    return "(" + ", ".join(q(str(model._meta.get_field(n).column)) for n in names) + ")"  # type: ignore[union-attr]


def _json(value: Any) -> str:
    """Render a JSON value; lists of flags repeat, so their text is cached."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return _json_strings(tuple(value))
    return json.dumps(value)


@lru_cache(maxsize=4096)
def _json_strings(values: tuple[str, ...]) -> str:
    return json.dumps(list(values))
