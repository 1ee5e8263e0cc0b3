"""What needs a person's attention now: stock, reconciliation, proposals and connections."""

from dataclasses import dataclass

from django.db.models import Count, Q

from dashboards.models import RollupState
from integrations.models import Connection, ConnectionStatus, InventoryLevel
from proposals.selectors import pending_count

# A SKU at or under this many units is low on stock (zero or less is out of stock).
LOW_STOCK_UNITS = 5
# Reconciliation buckets that are facts rather than problems.
NOT_EXCEPTIONS = frozenset({"matched", "excluded", "awaiting_label"})


@dataclass(frozen=True)
class StockAlert:
    low: int
    out: int


def stock_alert() -> StockAlert:
    """How many tracked SKUs are low on stock and how many are out of stock."""
    counts = InventoryLevel.objects.filter(is_unlimited=False).aggregate(
        out=Count("pk", filter=Q(quantity__lte=0)),
        low=Count("pk", filter=Q(quantity__gt=0, quantity__lte=LOW_STOCK_UNITS)),
    )
    return StockAlert(low=counts["low"], out=counts["out"])


def reconciliation_exceptions() -> int | None:
    """Orders and labels in a problem bucket, or None when reconciliation is not available."""
    try:
        from reconciliation.selectors import exception_counts
    except ImportError:  # the reconciliation app has no selectors yet
        return None
    counts: dict[str, int] = exception_counts()
    return sum(n for bucket, n in counts.items() if bucket not in NOT_EXCEPTIONS)


def reconciliation_exceptions_refreshed() -> int | None:
    """reconciliation_exceptions() as the rollups refresh after each reconciliation run counted it.

    Counting every result takes a scan of them all; results change only in runs. Before the
    first refresh, the count is taken now.
    """
    try:
        import reconciliation.selectors  # noqa: F401
    except ImportError:
        return None
    state = RollupState.objects.filter(pk=1).values_list("reconciliation_exceptions", flat=True)
    stored = state.first()
    return stored if stored is not None else reconciliation_exceptions()


def pending_proposals() -> int:
    """Proposals waiting for a person's approval."""
    return pending_count()


@dataclass(frozen=True)
class BrokenConnection:
    provider: str
    name: str
    reason: str


def broken_connections() -> list[BrokenConnection]:
    """Connections that cannot sync: needing a reconnect, disabled, or failing with an error."""
    broken = Connection.objects.exclude(status=ConnectionStatus.REVOKED).filter(
        Q(status__in=[ConnectionStatus.NEEDS_RECONNECT, ConnectionStatus.DISABLED])
        | ~Q(last_error="")
    )
    return [
        BrokenConnection(
            connection.get_provider_display(),
            connection.display_name,
            connection.get_status_display()
            if connection.status != ConnectionStatus.ACTIVE
            else "Last sync failed",
        )
        for connection in broken.order_by("provider", "display_name")
    ]
