"""Celery entry points for reconciliation: thin shells around the engine and the digest."""

import logging

from celery import shared_task
from django.db import transaction

from reconciliation.digest import digest_send as digest_deliver
from reconciliation.engine import reconcile
from reconciliation.selectors import both_sides_synced

logger = logging.getLogger(__name__)
SYNCED_STREAMS = frozenset({"orders", "shipments", "labels", "shippo_orders"})


@shared_task(time_limit=15 * 60, soft_time_limit=14 * 60)
def reconcile_run(full: bool = False) -> int:
    """Reconcile orders with labels; return the run id (0: skipped, a side never synced).

    Until Squarespace's orders and Shippo's labels and orders have each synced once, every
    order would look missing in Shippo: a case for each, all cleared minutes later.
    """
    if not both_sides_synced():
        logger.info("reconciliation skipped: Squarespace and Shippo have not both synced yet")
        return 0
    return reconcile(full=full).run_id


@shared_task(time_limit=300, soft_time_limit=270)
def digest_send() -> int:
    """Email the daily digest of new and overdue exceptions; return how many were sent."""
    return digest_deliver()


def reconcile_after_sync(provider: str, stream_names: list[str]) -> None:
    """Queue an incremental run, once committed, after an orders or shipments sync."""
    if provider in {"squarespace", "shippo"} and SYNCED_STREAMS & set(stream_names):
        transaction.on_commit(_enqueue)


def reconcile_soon() -> None:
    """Queue an incremental run once the current transaction commits (after a staff decision)."""
    transaction.on_commit(_enqueue)


def _enqueue() -> None:
    # Without a broker the task runs right here: its failure must not fail the sync before it.
    try:
        reconcile_run.delay(full=False)
    except Exception:
        logger.exception("reconciliation after sync failed")
