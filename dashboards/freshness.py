"""When each data source last synced, so every page says how fresh its numbers are."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from integrations.models import Connection, ConnectionStatus, Provider

# A source that has not synced for this long is shown as stale.
STALE_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class Freshness:
    provider: str
    label: str
    last_synced_at: datetime | None
    status: str

    @property
    def stale(self) -> bool:
        if self.status != ConnectionStatus.ACTIVE or self.last_synced_at is None:
            return True
        return timezone.now() - self.last_synced_at > STALE_AFTER


def freshness_of(providers: Sequence[str]) -> list[Freshness]:
    """Return one line per connection of the given providers (or one 'not connected' line)."""
    found: dict[str, list[Freshness]] = {p: [] for p in providers}
    rows = Connection.objects.filter(provider__in=providers).exclude(
        status=ConnectionStatus.REVOKED
    )
    for connection in rows.order_by("provider", "display_name"):
        found[connection.provider].append(
            Freshness(
                connection.provider,
                f"{connection.get_provider_display()}: {connection.display_name}",
                connection.last_synced_at,
                connection.status,
            )
        )
    labels = dict(Provider.choices)
    return [
        line
        for provider in providers
        for line in found[provider]
        or [Freshness(provider, f"{labels.get(provider, provider)}: not connected", None, "")]
    ]
