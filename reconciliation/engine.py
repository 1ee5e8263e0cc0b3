"""Reconcile Squarespace orders with Shippo labels: a full run, and an incremental one.

Both engines judge by the same rules and store the same rows:
- on PostgreSQL, `reconciliation.sql` judges in the database, set by set, and an incremental
  run starts from the rows triggers queued as changed;
- elsewhere (SQLite: the demo and the unit tests), `reconciliation.inmemory` loads rows and
  judges them in Python.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from integrations.models import ShippoOrder
from reconciliation.inmemory import run_in_memory
from reconciliation.models import ReconRun
from reconciliation.sql.run import run_in_database

logger = logging.getLogger(__name__)
LOCK_KEY = 0x7265636F  # "reco": one reconciliation at a time on PostgreSQL


@dataclass(frozen=True)
class RunSummary:
    """What one run did."""

    run_id: int
    full: bool
    orders_evaluated: int
    labels_evaluated: int
    results_written: int
    links_written: int


def reconcile(*, full: bool = False, now: datetime | None = None) -> RunSummary:
    """Run a reconciliation: incremental unless `full` or no run has finished yet."""
    now = now or timezone.now()
    own = not connection.in_atomic_block
    with transaction.atomic():
        _lock()
        started = timezone.now()
        last = ReconRun.objects.filter(finished_at__isnull=False).order_by("-pk").first()
        full = full or last is None
        if connection.vendor == "postgresql":
            counts, top = run_in_database(full=full, now=now, tune=own), 0
        else:
            # The in-memory engine starts its next run from the Shippo orders after this one.
            top = ShippoOrder.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            counts = run_in_memory(full=full, last=last, now=now)
        run = ReconRun.objects.create(
            started_at=started, finished_at=timezone.now(), full=full,
            orders_evaluated=counts.orders, labels_evaluated=counts.labels,
            results_written=counts.results_written, max_shippo_order_pk=top,
        )  # fmt: skip
    logger.info(
        "reconciled run_id=%s full=%s orders=%s labels=%s written=%s",
        run.pk, run.full, counts.orders, counts.labels, counts.results_written,
    )  # fmt: skip
    return RunSummary(
        run.pk, run.full, counts.orders, counts.labels, counts.results_written, counts.links_written
    )


def _lock() -> None:
    """Serialise runs: two syncs finishing together must not judge the same rows twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
