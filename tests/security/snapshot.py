"""Row counts of every table, so a test can prove a request wrote nothing anywhere."""

from django.apps import apps
from django.db import connection


def row_counts() -> dict[str, int]:
    """Return the number of rows of every model's table, m2m link tables included.

    One query for all tables, so a test can take a snapshot around every request it makes.
    """
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")  # table names from the model registry, quoted
        row = cursor.fetchone()
    return dict(zip(tables, row, strict=True))


def changed_tables(before: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Return each table whose row count moved since `before`, with its old and new count."""
    after = row_counts()
    return {
        table: (before.get(table, 0), count)
        for table, count in after.items()
        if before.get(table, 0) != count
    }
