"""django-tables2 columns that format figures the way metric cards do."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import django_tables2 as tables

from dashboards.metrics import Unit, format_value

NUMBER_ATTRS = {"th": {"class": "text-end"}, "td": {"class": "text-end text-nowrap"}}


class FigureColumn(tables.Column):
    """A number shown in its unit; money takes the row's own `currency`."""

    def __init__(self, unit: Unit = "count", **kwargs: Any) -> None:
        kwargs.setdefault("attrs", NUMBER_ATTRS)
        # Render None too, so the page and its CSV export show the same dash.
        kwargs.setdefault("empty_values", ())
        super().__init__(**kwargs)
        self.unit: Unit = unit

    def render(self, value: Decimal | int | float | None, record: Mapping[str, Any]) -> str:
        return format_value(value, self.unit, str(record.get("currency") or "USD"))
