"""Celery entry points for the dashboards: thin shells around the rollups refreshes."""

from dataclasses import asdict

from celery import shared_task

from dashboards.rollups.ads import ads_rollups_refresh
from dashboards.rollups.orders import orders_rollups_refresh
from dashboards.rollups.search import search_rollups_refresh


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60)
def orders_rollups_refresh_run(full: bool = False) -> dict[str, int | bool]:
    """Bring the dashboards' order facts and daily sums up to date; return what was rebuilt."""
    return asdict(orders_rollups_refresh(full=full))


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60)
def search_rollups_refresh_run() -> int:
    """Rebuild the dashboards' search totals and weekly sums; return the rows written."""
    return search_rollups_refresh()


@shared_task(time_limit=15 * 60, soft_time_limit=14 * 60)
def ads_rollups_refresh_run() -> int:
    """Rebuild the dashboards' daily ad sums; return the rows written."""
    return ads_rollups_refresh()
