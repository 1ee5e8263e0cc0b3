"""Search Console rollups for the dashboards, built from the daily query × page rollup.

Both are rebuilt whole after every Search Console sync (a few seconds at two years of data):
the daily totals answer the cards and charts, the weekly sums let a range read its whole weeks
as one row per query × page instead of seven.
"""

from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek

from dashboards.models import SearchDayTotal, SearchQueryPageWeek
from integrations.models.search import SearchQueryPageDay

SUMMED = {
    "clicks": Sum("clicks"),
    "impressions": Sum("impressions"),
    "position_impressions": Sum("position_impressions"),
}


def search_rollups_refresh() -> int:
    """Rebuild the daily totals and weekly query × page sums; return the rows written."""
    days = SearchQueryPageDay.objects.values("day").annotate(
        **SUMMED, fresh_rows=Count("pk", filter=Q(fresh=True))
    )
    weeks = (
        SearchQueryPageDay.objects.annotate(week=TruncWeek("day"))
        .values("week", "query", "page")
        .annotate(**SUMMED)
    )
    with transaction.atomic():
        SearchDayTotal.objects.all().delete()
        SearchQueryPageWeek.objects.all().delete()
        return _insert_select(SearchDayTotal, days) + _insert_select(SearchQueryPageWeek, weeks)


def _insert_select(model: type[models.Model], rows: QuerySet[Any, Any]) -> int:
    """INSERT the rows of a values() query straight into `model`: the sums stay in the database."""
    sql, params = rows.order_by().query.sql_with_params()
    fields = {field.name: field.column for field in model._meta.concrete_fields}
    names = list(rows.query.selected or ())  # in SELECT order
    columns = ", ".join(connection.ops.quote_name(fields[name]) for name in names)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
        return int(cursor.rowcount)
