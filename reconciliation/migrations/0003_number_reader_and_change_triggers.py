"""PostgreSQL only: the order-number reader, its indexes, and the triggers that queue changes.

`reconciliation_order_number(text)` reads the usual forms of an order number ("1042",
"#1042", "Order #1042", "order 1042", "SQ-1042", leading zeros) exactly as
integrations.order_numbers does, and answers NULL for any other text (Python reads those,
once, into reconciliation_numbertext). Indexes on it let an incremental run find orders and
Shippo orders by number. Statement triggers queue every order, label and Shippo order
written (a Shippo order with its number text before an edit), and the order and label of
every staff decision on a probable match, in reconciliation_pendingchange.
The run log is emptied so that the next run is a full one.
"""

from typing import Any

from django.db import migrations

DIGITS = """
CREATE OR REPLACE FUNCTION reconciliation_number_digits(d text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN d = '' OR translate(d, '0123456789', '') <> '' THEN NULL
        WHEN left(d, 1) <> '0' THEN CASE WHEN length(d) <= 12 THEN d ELSE '' END
        WHEN length(ltrim(d, '0')) BETWEEN 1 AND 12 THEN ltrim(d, '0')
        ELSE '' END
$$
"""
# Dispatching on the first character and comparing exact prefixes (no lower()) keeps this
# cheap enough to run over every row of a full run; other casings go to Python.
READER = """
CREATE OR REPLACE FUNCTION reconciliation_order_number(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE left(t, 1)
        WHEN '' THEN ''
        WHEN '#' THEN reconciliation_number_digits(substr(t, 2))
        WHEN 'O' THEN CASE
            WHEN left(t, 7) IN ('Order #', 'ORDER #') THEN reconciliation_number_digits(substr(t, 8))
            WHEN left(t, 6) IN ('Order ', 'ORDER ') THEN reconciliation_number_digits(substr(t, 7))
            END
        WHEN 'o' THEN CASE
            WHEN left(t, 7) = 'order #' THEN reconciliation_number_digits(substr(t, 8))
            WHEN left(t, 6) = 'order ' THEN reconciliation_number_digits(substr(t, 7))
            END
        WHEN 'S' THEN CASE
            WHEN left(t, 3) = 'SQ-' THEN reconciliation_number_digits(substr(t, 4)) END
        WHEN 's' THEN CASE
            WHEN left(t, 3) = 'sq-' THEN reconciliation_number_digits(substr(t, 4)) END
        ELSE reconciliation_number_digits(t)
        END
$$
"""
QUEUE = """
CREATE OR REPLACE FUNCTION reconciliation_queue_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_ARGV[0] = 'shippo_order' THEN
        INSERT INTO reconciliation_pendingchange (kind, row_id, old_text)
            SELECT TG_ARGV[0], id, order_number FROM old_rows;
    ELSIF TG_ARGV[0] = 'decision' THEN
        INSERT INTO reconciliation_pendingchange (kind, row_id, old_text)
            SELECT 'order', order_id, '' FROM new_rows
            UNION ALL SELECT 'label', label_id, '' FROM new_rows;
    ELSE
        INSERT INTO reconciliation_pendingchange (kind, row_id, old_text)
            SELECT TG_ARGV[0], id, '' FROM new_rows;
    END IF;
    RETURN NULL;
END
$$
"""
TABLES = (
    ("integrations_order", "order"),
    ("integrations_label", "label"),
    ("integrations_shippoorder", "shippo_order"),
    ("reconciliation_matchdecision", "decision"),
)
INDEXES = (
    "CREATE INDEX reconciliation_order_number_idx "
    "ON integrations_order (reconciliation_order_number(order_number))",
    "CREATE INDEX reconciliation_shippo_number_idx "
    "ON integrations_shippoorder (reconciliation_order_number(order_number))",
)


def _triggers(table: str, kind: str) -> list[str]:
    return [
        f"CREATE TRIGGER reconciliation_{kind}_inserted AFTER INSERT ON {table} "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION reconciliation_queue_change('{kind}')",
        f"CREATE TRIGGER reconciliation_{kind}_updated AFTER UPDATE ON {table} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION reconciliation_queue_change('{kind}')",
    ]


def forward(apps: Any, schema_editor: Any) -> None:
    apps.get_model("reconciliation", "ReconRun").objects.all().delete()
    if schema_editor.connection.vendor != "postgresql":
        return
    statements = [DIGITS, READER, QUEUE, *INDEXES]
    for table, kind in TABLES:
        statements += _triggers(table, kind)
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, kind in TABLES:
        for event in ("inserted", "updated"):
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS reconciliation_{kind}_{event} ON {table}"
            )
    for name in ("reconciliation_order_number_idx", "reconciliation_shippo_number_idx"):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for function in (
        "reconciliation_queue_change()",
        "reconciliation_order_number(text)",
        "reconciliation_number_digits(text)",
    ):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")


class Migration(migrations.Migration):
    dependencies = [
        ("reconciliation", "0002_results_without_key_constraints"),
        ("integrations", "0003_ads_search_social"),
    ]

    operations = [migrations.RunPython(forward, backward)]
