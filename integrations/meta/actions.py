"""Writes to Meta: set a campaign's status or daily budget to an absolute value.

Each action reads the campaign first, writes only when it is not already at the target
(so running it twice writes once), reads it back, and checks the platform took the value.
The stored Campaign row is brought in line with what Meta reports afterwards.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from integrations.http import PermanentError
from integrations.meta import oauth
from integrations.meta.client import CampaignCheck, MetaClient, client_for
from integrations.meta.parse import PROVIDER, STATUS_NORMAL, CampaignInfo, TokenInfo
from integrations.models import Campaign, Connection
from integrations.models.ads import AdPlatform

SETTABLE_STATUSES = frozenset({"ACTIVE", "PAUSED"})


@dataclass(frozen=True)
class CampaignChange:
    """What an action found, what it left, and whether it had to write."""

    campaign_external_id: str
    before: str
    after: str
    wrote: bool
    response_id: str


def campaign_set_status(
    *,
    connection: Connection,
    campaign_external_id: str,
    status: str,
    client: MetaClient | None = None,
) -> CampaignChange:
    """Set a campaign to ACTIVE or PAUSED."""
    if status not in SETTABLE_STATUSES:
        raise ValueError(f"status must be one of {sorted(SETTABLE_STATUSES)}")
    client = client or client_for(connection)
    before = client.campaign(campaign_external_id)
    wrote = before.status != status
    if wrote:
        client.campaign_update(
            campaign_external_id, {"status": status}, landed=lambda c: c.status == status
        )
    after = _read_back(client, campaign_external_id, lambda c: c.status == status)
    _store(connection, after)
    return CampaignChange(
        campaign_external_id, before.status, after.status, wrote, after.campaign_id
    )


def campaign_set_daily_budget(
    *,
    connection: Connection,
    campaign_external_id: str,
    daily_budget_minor: int,
    client: MetaClient | None = None,
) -> CampaignChange:
    """Set a campaign's daily budget, in minor units of the account currency."""
    if daily_budget_minor <= 0:
        raise ValueError("a daily budget must be positive")
    client = client or client_for(connection)
    before = client.campaign(campaign_external_id)
    if before.daily_budget is None:
        raise PermanentError("this campaign has no daily budget to set", provider=PROVIDER)
    wrote = before.daily_budget != daily_budget_minor
    if wrote:
        client.campaign_update(
            campaign_external_id,
            {"daily_budget": str(daily_budget_minor)},
            landed=lambda c: c.daily_budget == daily_budget_minor,
        )
    after = _read_back(client, campaign_external_id, lambda c: c.daily_budget == daily_budget_minor)
    _store(connection, after)
    return CampaignChange(
        campaign_external_id,
        str(before.daily_budget),
        str(after.daily_budget),
        wrote,
        after.campaign_id,
    )


def _read_back(client: MetaClient, campaign_id: str, took: CampaignCheck) -> CampaignInfo:
    """Read the campaign again and insist the change took."""
    after = client.campaign(campaign_id)
    if not took(after):
        raise PermanentError("Meta did not keep the change", provider=PROVIDER)
    return after


def _store(connection: Connection, info: CampaignInfo) -> None:
    """Bring the stored campaign in line with what Meta now reports."""
    Campaign.objects.filter(
        ad_account__connection=connection,
        platform=AdPlatform.META,
        external_id=info.campaign_id,
    ).update(
        status=STATUS_NORMAL.get(info.status, info.status),
        platform_status=info.effective_status,
        daily_budget=info.daily_budget,
    )


def connection_token_check(*, connection: Connection) -> TokenInfo:
    """Ask Meta about the connection's token and store its real expiry."""
    client = client_for(connection)
    info = oauth.token_check(client.access_token)
    Connection.objects.filter(pk=connection.pk).update(token_expires_at=info.expires_at)
    return info


def token_expires_soon(connection: Connection, days: int = 7) -> bool:
    """Return whether the connection's token expires within `days` (the reconnect banner)."""
    expires = connection.token_expires_at
    return expires is not None and expires <= datetime.now(UTC) + timedelta(days=days)
