"""PostgreSQL only: let a pg_dump of the database restore.

pg_restore rebuilds indexes with an empty search_path, so reconciliation_order_number(),
which called reconciliation_number_digits() by its bare name, could not be evaluated for
reconciliation_order_number_idx and the restore stopped there. The reader now names the
digits function with its schema. It stays a plain SQL function the planner inlines, and
CREATE OR REPLACE keeps its identity, so the indexes on it stay as they are.
"""

from importlib import import_module
from typing import Any

from django.db import migrations

READER: str = import_module(
    "reconciliation.migrations.0003_number_reader_and_change_triggers"
).READER
CALL = "reconciliation_number_digits("


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        (schema,) = cursor.fetchone()
    schema_editor.execute(READER.replace(CALL, f"{schema}.{CALL}"))


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(READER)


class Migration(migrations.Migration):
    dependencies = [("reconciliation", "0003_number_reader_and_change_triggers")]

    operations = [migrations.RunPython(forward, backward)]
