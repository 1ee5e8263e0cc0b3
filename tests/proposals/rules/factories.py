"""Builders for rules tests: ad accounts in a chosen time zone, campaigns, hand-written days."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from integrations.models import AdAccount, Campaign, CampaignDay, Connection
from proposals.models import Rule

# 12:00 UTC is 08:00 in New York: the last complete New York day is 2026-03-09.
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
YESTERDAY = date(2026, 3, 9)


def account_make(*, platform: str = "meta", time_zone: str = "America/New_York") -> AdAccount:
    """Return an ad account on `platform` in `time_zone`."""
    connection, _ = Connection.objects.get_or_create(
        provider=platform, external_account_id=f"{platform}-{time_zone}",
        defaults={"display_name": "Flux"},
    )  # fmt: skip
    account, _ = AdAccount.objects.get_or_create(
        connection=connection, platform=platform, external_id=f"{platform}-{time_zone}",
        defaults={"name": "Flux", "currency": "USD", "time_zone": time_zone},
    )  # fmt: skip
    return account


def campaign_make(name: str, *, platform: str = "meta", time_zone: str = "America/New_York",
                  **fields: Any) -> Campaign:  # fmt: skip
    """Create an active campaign with a 100.00 USD daily budget unless told otherwise."""
    values: dict[str, Any] = {"status": "ACTIVE", "currency": "USD", "daily_budget": 10_000}
    return Campaign.objects.create(
        ad_account=account_make(platform=platform, time_zone=time_zone), platform=platform,
        external_id=name, name=name, **{**values, **fields},
    )  # fmt: skip


def day_add(campaign: Campaign, day: date, *, impressions: int = 0, clicks: int = 0,
            spend: str = "0", conversions: str = "0", value: str = "0",
            settling: bool = False) -> CampaignDay:  # fmt: skip
    """Store one day; money in major units, turned into micros exactly."""
    return CampaignDay.objects.create(
        campaign=campaign, day=day, impressions=impressions, clicks=clicks,
        spend_micros=int(Decimal(spend) * 1_000_000), conversions=Decimal(conversions),
        conversion_value_micros=int(Decimal(value) * 1_000_000),
        attribution_setting="7d_click_1d_view", settling=settling,
    )  # fmt: skip


def rule_make(name: str = "Test rule", *, conditions: list[dict[str, Any]],
              action: dict[str, Any] | None = None, **fields: Any) -> Rule:  # fmt: skip
    """Create a rule (pause by default, no minimum data)."""
    values: dict[str, Any] = {"action": action or {"type": "pause"}, "min_data": {}}
    return Rule.objects.create(name=name, conditions=conditions, **{**values, **fields})


def cond(metric: str, window: int, op: str, threshold: str) -> dict[str, Any]:
    """Return one condition's JSON."""
    return {"metric": metric, "window_days": window, "op": op, "threshold": threshold}
