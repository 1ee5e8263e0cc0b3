"""Read and write one campaign field on its ad platform, in the proposals' own terms.

Statuses are ACTIVE/PAUSED for both platforms (Google's ENABLED is ACTIVE) and budgets are
whole minor units of the campaign's currency, like the proposals that name them. Writes go
through the provider actions, which write an absolute value only when it differs and read
it back.
"""

from dataclasses import dataclass
from typing import Any

from integrations.google_ads import actions as google_actions
from integrations.google_ads.adapter import api_for
from integrations.google_ads.money import micros_to_minor
from integrations.http import PermanentError
from integrations.meta import actions as meta_actions
from integrations.meta.client import client_for
from integrations.models import Campaign, Connection

GOOGLE_TO_OURS = {"ENABLED": "ACTIVE", "PAUSED": "PAUSED", "REMOVED": "REMOVED"}
OURS_TO_GOOGLE = {"ACTIVE": "ENABLED", "PAUSED": "PAUSED"}


@dataclass(frozen=True)
class WriteResult:
    """What the provider action found, left, and whether it wrote."""

    before: Any
    after: Any
    wrote: bool
    response_id: str


def campaign_value_read(*, campaign: Campaign, field: str) -> Any:
    """Return the campaign's live status or daily budget (minor units)."""
    connection = _connection(campaign)
    if campaign.platform == "meta":
        info = client_for(connection).campaign(campaign.external_id)
        return info.status if field == "status" else info.daily_budget
    if campaign.platform == "google_ads":
        row = api_for(connection).campaign(campaign.external_id)
        if field == "status":
            return GOOGLE_TO_OURS.get(row.status, row.status)
        return micros_to_minor(row.budget_micros, campaign.currency)
    raise PermanentError(f"no writes to {campaign.platform}", provider=campaign.platform)


def campaign_value_write(*, campaign: Campaign, field: str, value: Any) -> WriteResult:
    """Set the campaign's status or daily budget to an absolute value and read it back."""
    if campaign.platform == "meta":
        return _meta_write(campaign, field, value)
    if campaign.platform == "google_ads":
        return _google_write(campaign, field, value)
    raise PermanentError(f"no writes to {campaign.platform}", provider=campaign.platform)


def _connection(campaign: Campaign) -> Connection:
    return Connection.objects.get(ad_accounts__campaigns=campaign)


def _meta_write(campaign: Campaign, field: str, value: Any) -> WriteResult:
    connection = _connection(campaign)
    if field == "status":
        change = meta_actions.campaign_set_status(
            connection=connection, campaign_external_id=campaign.external_id, status=str(value)
        )
        return WriteResult(change.before, change.after, change.wrote, change.response_id)
    change = meta_actions.campaign_set_daily_budget(
        connection=connection, campaign_external_id=campaign.external_id, daily_budget_minor=value
    )
    return WriteResult(int(change.before), int(change.after), change.wrote, change.response_id)


def _google_write(campaign: Campaign, field: str, value: Any) -> WriteResult:
    connection = _connection(campaign)
    if field == "status":
        result = google_actions.campaign_set_status(
            connection=connection,
            campaign_external_id=campaign.external_id,
            status=OURS_TO_GOOGLE[str(value)],
        )
        before = GOOGLE_TO_OURS.get(str(result.before), str(result.before))
        after = GOOGLE_TO_OURS.get(str(result.after), str(result.after))
        return WriteResult(before, after, bool(result.response_id), result.response_id)
    result = google_actions.campaign_set_daily_budget(
        connection=connection, campaign_external_id=campaign.external_id, daily_budget_minor=value
    )
    return WriteResult(result.before, result.after, bool(result.response_id), result.response_id)
