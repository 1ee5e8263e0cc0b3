"""django-tables2 columns that format figures the way metric cards do."""

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import django_tables2 as tables
from django.utils import timezone

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

    def render(self, value: Decimal | int | float | None, record: Any) -> str:
        return format_value(value, self.unit, str(field_of(record, "currency") or "USD"))


def field_of(record: Any, name: str) -> Any:
    """A row's value: a dict's item, or an object's attribute (rows may be either)."""
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)


class DateTextColumn(tables.Column):
    """A date or a time (in the active time zone) as text in `format`, on the page and in CSV."""

    def __init__(self, format: str = "%Y-%m-%d", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.format = format

    def render(self, value: date | datetime) -> str:
        if isinstance(value, datetime):
            value = timezone.localtime(value)
        return value.strftime(self.format)

    def value(self, value: date | datetime) -> str:
        return self.render(value)


@dataclass(frozen=True)
class HeaderCell:
    label: str
    css: str
    orderable: bool
    is_ordered: bool
    descending: bool
    next_order: str


@dataclass(frozen=True)
class ShownTable:
    """A table's visible page as text, each cell formatted once."""

    name: str  # the table's prefix without its trailing dash: ?export=<name>
    headers: list[HeaderCell]
    rows: list[list[tuple[str, str]]]  # (css class, text) per cell


def shown_table(table: tables.Table) -> ShownTable:
    """The headers and the current page's cells, as the CSV export shows them too."""
    # tables2's own cell rendering inspects a render signature per cell: too slow here.
    columns = list(table.columns)
    headers = [_header(column) for column in columns]
    css = [column.attrs.get("td", {}).get("class", "") for column in columns]
    rows = [
        [(css[n], cell_text(table, column, row.record)) for n, column in enumerate(columns)]
        for row in table.paginated_rows
    ]
    return ShownTable(table.prefix.rstrip("-"), headers, rows)


def _header(column: Any) -> HeaderCell:
    alias = column.order_by_alias
    return HeaderCell(
        str(column.header),
        column.attrs.get("th", {}).get("class", ""),
        bool(column.orderable),
        bool(column.is_ordered),
        bool(alias.is_descending),
        str(alias.next),
    )


def cell_text(table: tables.Table, column: Any, record: Any) -> str:
    """One cell's text: the table's render_<name>, its column's render, or the value."""
    value = field_of(record, column.name)
    custom = getattr(table, f"render_{column.name}", None)
    if custom is not None:
        return str(custom(value=value))
    own = column.column
    if isinstance(own, FigureColumn):
        return own.render(value, record)
    if value in own.empty_values:
        return str(own.default)
    render = type(own).render
    if render is tables.Column.render:
        return str(value)
    given = {"value": value, "record": record, "table": table}
    return str(render(own, **{name: given[name] for name in _arguments(render)}))


@cache
def _arguments(render: Callable[..., Any]) -> tuple[str, ...]:
    """The cell arguments a column's render takes, read once per render method."""
    names = inspect.signature(render).parameters
    return tuple(name for name in ("value", "record", "table") if name in names)
