"""Celery entry points for the dashboards: thin shells around the rollups refreshes."""

from dataclasses import asdict

from celery import shared_task

from dashboards.rollups import rollups_refresh
from dashboards.rollups.search import search_rollups_refresh


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60)
def rollups_refresh_run(full: bool = False) -> dict[str, int | bool]:
    """Bring the dashboards' rollups up to date; return what was rebuilt."""
    return asdict(rollups_refresh(full=full))


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60)
def search_rollups_refresh_run() -> int:
    """Rebuild the dashboards' search totals and weekly sums; return the rows written."""
    return search_rollups_refresh()
