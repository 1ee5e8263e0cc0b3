"""Bulk upsert keyed on the provider's ids, writing only rows that are new or changed.

Two shapes: `upsert_changed` takes model instances (and returns the written ones, for writing
their children); `upsert_values` takes plain value tuples, for the large streams (campaign
days, Search Console rows). On PostgreSQL `upsert_values` COPYs a page into a temporary
staging table and merges it with one INSERT ... ON CONFLICT DO UPDATE ... WHERE the values
differ, so no model instance is built and unchanged rows are not rewritten; elsewhere it
builds instances and goes through `upsert_changed`.
"""

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import connections, models, router, transaction
from django.utils import timezone

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


def upsert_values(
    model: type[models.Model],
    rows: Iterable[tuple[Any, ...]],
    *,
    key_fields: Sequence[str],
    compare_fields: Sequence[str],
) -> WriteCounts:
    """Upsert rows given as tuples in `key_fields + compare_fields` order; count what changed.

    Values are what the database driver takes as they are (str, int, float, bool, Decimal,
    date, datetime, None; a foreign key as its id). A key seen twice keeps its last row. Fields
    not named get their model default on insert (auto_now fields: now) and stay as stored on
    update. The key fields must form a unique constraint.
    """
    width = len(key_fields)
    unique = list({row[:width]: row for row in rows}.values())
    if not unique:
        return WriteCounts()
    alias = router.db_for_write(model)
    with transaction.atomic(using=alias):
        if connections[alias].vendor == "postgresql":
            return _copy_merge(model, alias, unique, key_fields, compare_fields)
        return _instances_upsert(model, unique, key_fields, compare_fields)


def _instances_upsert(
    model: type[models.Model],
    rows: list[tuple[Any, ...]],
    key_fields: Sequence[str],
    compare_fields: Sequence[str],
) -> WriteCounts:
    """Upsert through model instances, one scope (all key fields but the last) at a time."""
    names = [_attname(model, f) for f in (*key_fields, *compare_fields)]
    scopes: dict[tuple[Any, ...], list[models.Model]] = {}
    for row in rows:
        instance = model(**dict(zip(names, row, strict=True)))
        scopes.setdefault(row[: len(key_fields) - 1], []).append(instance)
    inserted = updated = 0
    for instances in scopes.values():
        counts, _ = upsert_changed(
            model, instances, key_fields=key_fields, compare_fields=compare_fields
        )
        inserted, updated = inserted + counts.inserted, updated + counts.updated
    return WriteCounts(inserted=inserted, updated=updated)


def _copy_merge(
    model: type[models.Model],
    alias: str,
    rows: list[tuple[Any, ...]],
    key_fields: Sequence[str],
    compare_fields: Sequence[str],
) -> WriteCounts:
    """COPY the rows into a staging table, then insert new ones and update changed ones."""
    table = model._meta.db_table
    keys = [_column(model, f) for f in key_fields]
    values = [_column(model, f) for f in compare_fields]
    copied = [*keys, *values]
    rest = _unnamed_defaults(model, alias, {*key_fields, *compare_fields})
    stage = f"stage_{table}"
    quoted = ", ".join(f'"{c}"' for c in copied)
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f'CREATE TEMP TABLE "{stage}" ON COMMIT DROP AS '  # noqa: S608 - names from _meta
            f'SELECT {quoted} FROM "{table}" WITH NO DATA'
        )
        with cursor.copy(f'COPY "{stage}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(_merge_sql(table, stage, keys, values, list(rest)), list(rest.values()))
        fresh = [inserted for (inserted,) in cursor.fetchall()]
        cursor.execute(f'DROP TABLE "{stage}"')  # a second page in this transaction makes its own
    return WriteCounts(inserted=sum(fresh), updated=len(fresh) - sum(fresh))


def _merge_sql(table: str, stage: str, keys: list[str], values: list[str], rest: list[str]) -> str:
    """INSERT from the stage; on a key conflict update only where some value differs."""
    target = ", ".join(f'"{c}"' for c in (*keys, *values, *rest))
    source = ", ".join([*(f's."{c}"' for c in (*keys, *values)), *("%s" for _ in rest)])
    conflict = ", ".join(f'"{c}"' for c in keys)
    if not values:
        action = "DO NOTHING"
    else:
        sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in values)
        stored = ", ".join(f't."{c}"' for c in values)
        incoming = ", ".join(f'EXCLUDED."{c}"' for c in values)
        action = f"DO UPDATE SET {sets} WHERE ({stored}) IS DISTINCT FROM ({incoming})"
    # xmax is 0 on a freshly inserted tuple and set on an updated one.
    return (
        f'INSERT INTO "{table}" AS t ({target}) SELECT {source} FROM "{stage}" s '  # noqa: S608
        f"ON CONFLICT ({conflict}) {action} RETURNING (t.xmax = 0)"
    )


def _unnamed_defaults(model: type[models.Model], alias: str, named: set[str]) -> dict[str, Any]:
    """Return the insert value of each concrete field the caller did not name, by column."""
    now = timezone.now()
    found: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in named or field.attname in named:
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        value = now if auto else field.get_default()
        found[field.column] = field.get_db_prep_save(value, connections[alias])
    return found


def _column(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).column)  # type: ignore[union-attr]
