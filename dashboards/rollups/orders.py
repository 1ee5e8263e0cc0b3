"""Keep the dashboards' order rollups in step with orders, lines and Shippo labels.

orders_rollups_refresh() finds the orders whose facts are missing or stale (new, modified,
cancelled, erased, deleted, or with label costs that moved), rebuilds the facts of those orders
and of every other order of the same customers, then rebuilds the daily sums of the days they
touch.
It is safe to run at any time and after any change: with nothing changed it only compares.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from dashboards.cache import rollups_changed
from dashboards.models import OrderFact, RollupState, SalesDay, SkuDay
from dashboards.rollups.days import days_rebuild
from dashboards.rollups.facts import changed_orders, facts_rebuild
from dashboards.rollups.labels import label_costs, linked_cost_of_order
from dashboards.rollups.sql import vacuum_analyze
from dashboards.selectors.alerts import reconciliation_exceptions
from dashboards.selectors.sales import counted_orders
from integrations.models import Order

logger = logging.getLogger(__name__)

# Past this share of changed orders, rebuilding everything is quicker than following customers.
FULL_REBUILD_SHARE = 0.25


@dataclass(frozen=True)
class Refreshed:
    full: bool
    orders: int  # orders whose facts were rebuilt (every order on a full rebuild)
    days: int  # days whose sums were rebuilt


def orders_rollups_refresh(*, full: bool = False) -> Refreshed:
    """Bring the order facts and daily sums up to date; one refresh at a time."""
    with transaction.atomic():
        state = _locked_state()
        zone = settings.FLUX_BRAND_TIME_ZONE
        full = full or state.time_zone != zone
        costs = {} if full else label_costs(counted_orders())
        changed = None if full else changed_orders(costs)
        if changed is not None and len(changed) > FULL_REBUILD_SHARE * _order_count():
            changed = None
        if changed is None:
            _facts_rebuild_all()
            days_rebuild(None)
            found = Refreshed(True, OrderFact.objects.count(), SalesDay.objects.count())
        else:
            days = facts_rebuild(changed, costs) if changed else set()
            days_rebuild(days)
            found = Refreshed(False, len(changed), len(days))
        if found.full or found.orders:
            rollups_changed("orders")
        state.time_zone, state.refreshed_at = zone, timezone.now()
        # Counted here, after each run, so the overview's alert needs no scan of every result.
        state.reconciliation_exceptions = reconciliation_exceptions()
        state.save()
    if found.full:
        vacuum_analyze(OrderFact, SalesDay, SkuDay)
    logger.info("order rollups refreshed full=%s orders=%s days=%s", *vars(found).values())
    return found


def _facts_rebuild_all() -> None:
    """Rebuild every fact; linked label costs are summed by the database, not in memory."""
    linked = linked_cost_of_order()
    facts_rebuild(None, {} if linked is not None else label_costs(counted_orders()))
    if linked is not None:
        OrderFact.objects.filter(counted=True).update(label_cost=Coalesce(linked, 0))


def _locked_state() -> RollupState:
    RollupState.objects.get_or_create(pk=1, defaults={"time_zone": ""})
    return RollupState.objects.select_for_update().get(pk=1)


def _order_count() -> int:
    return max(Order.objects.count(), 1)
