"""Read the order numbers of texts the database function leaves to Python, once per text."""

from typing import Any

from integrations.order_numbers import order_number_normalise
from reconciliation.sql.common import LABEL, MEMO, ORDER, READER, SHIPPO, execute

EVERY_TEXT = f"""
    SELECT order_number FROM {ORDER} WHERE {READER}(order_number) IS NULL
    UNION ALL SELECT order_number FROM {SHIPPO} WHERE {READER}(order_number) IS NULL
    UNION ALL SELECT metadata FROM {LABEL} WHERE {READER}(metadata) IS NULL
"""


def unread(texts: str) -> str:
    """Return the query of the texts `texts` selects that neither reader has read yet."""
    return (
        f"SELECT DISTINCT x.t FROM ({texts}) x(t) WHERE {READER}(x.t) IS NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {MEMO} m WHERE m.text = x.t)"
    )


def memo_add(rows: list[tuple[Any, ...]]) -> None:
    """Read these texts in Python and remember what they name."""
    if rows:
        texts = [str(text) for (text,) in rows]
        execute(
            f"INSERT INTO {MEMO} (text, number) SELECT * FROM unnest(%(texts)s::text[], "
            "%(numbers)s::text[]) ON CONFLICT DO NOTHING",
            {"texts": texts, "numbers": [order_number_normalise(t) or "" for t in texts]},
        )
