"""What the SQL modules share: table names, the number reader, the exclusion rule, batches."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from integrations.models import Label, Order, ShippoOrder
from reconciliation.models import (
    Case,
    LabelLink,
    MatchDecision,
    NumberText,
    OrderResult,
    PendingChange,
)

ORDER = Order._meta.db_table
LABEL = Label._meta.db_table
SHIPPO = ShippoOrder._meta.db_table
RESULT = OrderResult._meta.db_table
LINK = LabelLink._meta.db_table
MEMO = NumberText._meta.db_table
QUEUE = PendingChange._meta.db_table
DECISION = MatchDecision._meta.db_table
CASE = Case._meta.db_table

# The database function (migration 0003) reads "1042", "#1042", "Order #1042", "order 1042"
# and "SQ-1042" itself and answers NULL for any other text; the memo holds what Python read
# of those. A text naming no number reads as "".
READER = "reconciliation_order_number"


def number_of(column: str) -> str:
    """Return SQL for the order number `column` names (the memo is read only when needed)."""
    return (
        f"coalesce({READER}({column}), (SELECT m.number FROM {MEMO} m WHERE m.text = {column}), '')"
    )


def excluded(o: str) -> str:
    """Return SQL saying whether order `o` is cancelled, refunded, a test or ships nothing."""
    return (
        f"({o}.fulfillment_status = 'CANCELED' OR {o}.payment_state = 'REFUNDED' "
        f"OR ({o}.refunded_total > 0 AND {o}.refunded_total >= {o}.grand_total) "
        f"OR {o}.testmode OR NOT {o}.has_physical_items)"
    )


@dataclass(frozen=True)
class Result:
    """What one statement of a batch gave: its rows (if it returns any) and its row count."""

    rows: list[tuple[Any, ...]]
    count: int


def batch(statements: Sequence[str], params: dict[str, Any] | None = None) -> list[Result]:
    """Run statements in one round trip (a loaded machine makes each round trip costly)."""
    with connection.cursor() as cursor:
        cursor.execute(";\n".join(statements), params or None)
        raw = cursor.cursor
        results = []
        while True:
            rows = list(raw.fetchall()) if raw.description is not None else []
            results.append(Result(rows, int(raw.rowcount)))
            if not raw.nextset():
                return results


def fetch(sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Run one query; return its rows."""
    return batch([sql], params)[0].rows


def execute(sql: str, params: dict[str, Any] | None = None) -> int:
    """Run one statement; return how many rows it touched."""
    return batch([sql], params)[0].count


def temp(name: str, select: str) -> str:
    """Return the statement creating a scratch table from a query, dropped at commit."""
    return f"CREATE TEMP TABLE {name} ON COMMIT DROP AS {select}"
