"""Template filters for dashboard tables."""

import django_tables2 as tables
from django import template

from dashboards.columns import ShownTable, shown_table

register = template.Library()


@register.filter(name="shown")
def shown(table: tables.Table) -> ShownTable:
    """The table's headers and current page of cells as text."""
    return shown_table(table)
