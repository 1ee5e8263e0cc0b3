"""Write many reconciliation rows, touching only the rows whose values changed."""

from collections.abc import Sequence
from typing import Any

from django.db import models

BATCH = 2000
CHUNK = 20_000


def rows_store(
    model: type[models.Model], key: str, rows: dict[int, dict[str, Any]], compared: Sequence[str]
) -> dict[int, dict[str, Any]]:
    """Write the rows that are new or differ from the stored ones; return those written."""
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
    return {pk: rows[pk] for pk in written}
