"""Writes to Google Ads: a campaign's status and its daily budget, each an absolute target.

Each reads the live value first, writes only if it differs, and reads it back after, so
calling twice writes once; a retry after an unclear answer reads again before writing.
"""

from dataclasses import dataclass

from integrations.google_ads.adapter import api_for
from integrations.google_ads.money import micros_to_minor, minor_to_micros
from integrations.http import PermanentError
from integrations.models import AdAccount, Connection

STATUSES = frozenset({"ENABLED", "PAUSED"})


@dataclass(frozen=True)
class ActionResult:
    """What the platform said before and after, and the mutated resource (empty: no write)."""

    before: str | int
    after: str | int
    response_id: str


def campaign_set_status(
    *, connection: Connection, campaign_external_id: str, status: str
) -> ActionResult:
    """Set a campaign to ENABLED or PAUSED."""
    if status not in STATUSES:
        raise PermanentError(f"unsupported status {status}", provider="google_ads")
    api = api_for(connection)
    before = api.campaign(campaign_external_id).status
    response_id = ""
    if before != status:
        response_id = api.campaign_status_mutate(
            campaign_id=campaign_external_id,
            status=status,
            landed=lambda: api.campaign(campaign_external_id).status == status,
        )
    after = api.campaign(campaign_external_id).status
    return ActionResult(before, after, response_id)


def campaign_set_daily_budget(
    *, connection: Connection, campaign_external_id: str, daily_budget_minor: int
) -> ActionResult:
    """Set a campaign's daily budget, in minor units of the account currency."""
    api = api_for(connection)
    currency = _currency(connection)
    campaign = api.campaign(campaign_external_id)
    target = minor_to_micros(daily_budget_minor, currency)
    response_id = ""
    if campaign.budget_micros != target:
        response_id = api.budget_amount_mutate(
            budget_resource=campaign.budget_resource,
            amount_micros=target,
            landed=lambda: api.campaign(campaign_external_id).budget_micros == target,
        )
    after = api.campaign(campaign_external_id).budget_micros
    before_minor = micros_to_minor(campaign.budget_micros, currency)
    return ActionResult(before_minor, micros_to_minor(after, currency), response_id)


def _currency(connection: Connection) -> str:
    account = AdAccount.objects.filter(connection=connection, platform="google_ads").first()
    return account.currency if account else "USD"
