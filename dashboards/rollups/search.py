"""Search Console rollups for the dashboards, built from the daily query × page rollup.

Both are rebuilt whole after every Search Console sync (a few seconds at two years of data):
the daily totals answer the cards and charts, the weekly sums let a range read its whole weeks
as one row per query × page instead of seven.
"""

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek

from dashboards.cache import rollups_changed
from dashboards.models import SearchDayTotal, SearchQueryPageWeek
from dashboards.rollups.sql import insert_select, vacuum_analyze
from integrations.models.search import SearchQueryPageDay

SUMMED = {
    "clicks": Sum("clicks"),
    "impressions": Sum("impressions"),
    "position_impressions": Sum("position_impressions"),
}


def search_rollups_refresh() -> int:
    """Rebuild the daily totals and weekly query × page sums; return the rows written."""
    days = (
        SearchQueryPageDay.objects.values("day")
        .annotate(**SUMMED, fresh_rows=Count("pk", filter=Q(fresh=True)))
        .order_by("day")
    )
    weeks = (
        SearchQueryPageDay.objects.annotate(week=TruncWeek("day"))
        .values("week", "query", "page")
        .annotate(**SUMMED)
        .order_by("week")
    )
    with transaction.atomic():
        SearchDayTotal.objects.all().delete()
        SearchQueryPageWeek.objects.all().delete()
        written = insert_select(SearchDayTotal, days) + insert_select(SearchQueryPageWeek, weeks)
        rollups_changed("search")
    vacuum_analyze(SearchDayTotal, SearchQueryPageWeek)
    return written
