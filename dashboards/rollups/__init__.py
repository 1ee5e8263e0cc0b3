"""The dashboards' rollups, kept in step with the synced tables they sum.

Each kind refreshes after the syncs that change it (dashboards.rollups.triggers):
- orders (dashboards.rollups.orders): per-order facts and daily sales and SKU sums, refreshed
  where orders, lines or label costs changed;
- search (dashboards.rollups.search): daily totals and weekly query x page sums, rebuilt;
- ads (dashboards.rollups.ads): daily sums per platform and currency, rebuilt.
rollups_refresh() brings all three up to date (after migrate, from the command, in tests).
"""

from dataclasses import dataclass

from dashboards.rollups.ads import ads_rollups_refresh
from dashboards.rollups.orders import Refreshed, orders_rollups_refresh
from dashboards.rollups.search import search_rollups_refresh


@dataclass(frozen=True)
class AllRefreshed:
    orders: Refreshed
    search_rows: int
    ad_rows: int


def rollups_refresh(*, full: bool = False) -> AllRefreshed:
    """Bring every rollup up to date; `full` rebuilds the order facts of every order too."""
    return AllRefreshed(
        orders_rollups_refresh(full=full), search_rollups_refresh(), ads_rollups_refresh()
    )
