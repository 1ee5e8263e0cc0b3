"""When the rollups refresh: after the syncs and runs that change what they sum.

Orders rollups: after an orders sync (Squarespace) or a shipments, labels or Shippo orders sync
(label costs); after each reconciliation run, which moves labels between orders; after an
erasure, which takes customers off orders. Search rollups: after each Search Console sync. Ads
rollups: after each Meta or Google Ads campaigns or delivery sync. All of them: after `migrate`,
once, when there is data but the rollups were never built.
Each trigger queues one refresh once the current transaction commits; refreshes take turns.
"""

import logging
from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_migrate, post_save

logger = logging.getLogger(__name__)

# provider -> (kind of rollup, the streams whose data it sums)
SYNCED_STREAMS = {
    "squarespace": ("orders", {"orders"}),
    "shippo": ("orders", {"shipments", "labels", "shippo_orders"}),
    "search_console": ("search", {"search_analytics"}),
    "meta": ("ads", {"campaigns", "insights"}),
    "google_ads": ("ads", {"campaigns", "metrics"}),
}


def triggers_connect(app: AppConfig) -> None:
    """Register the hooks (from the app's ready())."""
    from flux.privacy.erasure import register_eraser
    from integrations.connections import after_sync_hooks

    if refresh_after_sync not in after_sync_hooks:
        after_sync_hooks.append(refresh_after_sync)
    register_eraser("dashboards.rollups", refresh_after_erasure)
    post_migrate.connect(build_after_migrate, sender=app, dispatch_uid="dashboards.rollups")
    try:
        from reconciliation.models import ReconRun
    except ImportError:  # no reconciliation: label costs follow order numbers
        return
    post_save.connect(refresh_after_reconcile, sender=ReconRun, dispatch_uid="dashboards.rollups")


def refresh_after_sync(provider: str, stream_names: list[str]) -> None:
    """Refresh the rollups that sum what the sync just wrote."""
    kind, streams = SYNCED_STREAMS.get(provider, ("", set()))
    if streams & set(stream_names):
        refresh_soon(kind)


def refresh_after_reconcile(sender: type, instance: Any, **kwargs: Any) -> None:
    """Refresh once a reconciliation run has finished (its label links are written)."""
    if getattr(instance, "finished_at", None) is not None:
        refresh_soon("orders")


def refresh_after_erasure(subject_hash: str, subject_kind: str) -> int:
    """The rollups hold no email hash; the orders an erasure changed drop their customer."""
    if subject_kind == "email":
        refresh_soon("orders")
    return 0


def build_after_migrate(**kwargs: Any) -> None:
    """Build the rollups of data stored before they existed (the first deploy with them)."""
    from dashboards.models import AdDay, RollupState, SearchDayTotal
    from dashboards.rollups.ads import ads_rollups_refresh
    from dashboards.rollups.orders import orders_rollups_refresh
    from dashboards.rollups.search import search_rollups_refresh
    from integrations.models import CampaignDay, Order
    from integrations.models.search import SearchQueryPageDay

    if not RollupState.objects.exists() and Order.objects.exists():
        orders_rollups_refresh()
    if not SearchDayTotal.objects.exists() and SearchQueryPageDay.objects.exists():
        search_rollups_refresh()
    if not AdDay.objects.exists() and CampaignDay.objects.exists():
        ads_rollups_refresh()


def refresh_soon(kind: str) -> None:
    """Queue a refresh of one kind of rollup once the current transaction commits."""
    transaction.on_commit(lambda: _enqueue(kind))


def _enqueue(kind: str) -> None:
    from dashboards import tasks

    task = getattr(tasks, f"{kind}_rollups_refresh_run")  # orders, search or ads
    # Without a broker the task runs right here: its failure must not fail what came before.
    try:
        task.delay()
    except Exception:
        logger.exception("dashboard rollups refresh failed kind=%s", kind)
