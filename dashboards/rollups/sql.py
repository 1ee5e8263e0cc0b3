"""INSERT ... SELECT through the ORM: rollups rebuilt whole never pass through Python."""

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet


def insert_select(
    model: type[models.Model], rows: QuerySet[Any, Any], names: Sequence[str] = ()
) -> int:
    """INSERT the rows of a values() query into `model`, in the query's order.

    Each selected value goes to the field of its name, or to the field `names` gives in the
    same position. Ordering by day keeps each day's rows together on disk, as reads want them.
    """
    sql, params = rows.query.sql_with_params()
    fields = {field.name: field.column for field in model._meta.concrete_fields}
    names = list(names or rows.query.selected or ())  # in SELECT order
    columns = ", ".join(connection.ops.quote_name(fields[name]) for name in names)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
        return int(cursor.rowcount)


def vacuum_analyze(*models: type[models.Model]) -> None:
    """Tidy tables just rebuilt whole, on PostgreSQL: drop the dead rows, refresh statistics and
    set the visibility map, so index-only scans need not visit the table until autovacuum would
    have come round. VACUUM cannot run inside a transaction: inside one, this does nothing.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
