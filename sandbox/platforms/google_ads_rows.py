"""Rows of the Google Ads sandbox: each resource as flat GAQL field maps, then as GoogleAdsRow.

A row is first a dict keyed by GAQL field name ("campaign.id", "metrics.clicks"), which WHERE
and ORDER BY read; only the selected fields are then set on a raw GoogleAdsRow protobuf
(proto-plus would be far slower over a bench-sized report).
"""

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from google.ads.googleads.v26.services.types.google_ads_service import GoogleAdsRow

from sandbox.brand.google_ads import AdsCampaign, AdsDay, AdsTermDay, GoogleAdsBrand
from sandbox.platforms.google_ads_gaql import Query, QueryError

Row = dict[str, Any]
ROW_PB = GoogleAdsRow.pb()
RESOURCES = ("campaign", "campaign_budget", "customer", "search_term_view")
AD_GROUP_BASE = 150_000_000_000


@dataclass
class LiveState:
    """What mutates changed on top of the brand: statuses and budget amounts."""

    status: dict[int, str] = field(default_factory=dict)
    budget_micros: dict[int, int] = field(default_factory=dict)

    def campaign_status(self, campaign: AdsCampaign) -> str:
        return self.status.get(campaign.id, campaign.status)

    def budget(self, campaign: AdsCampaign) -> int:
        return self.budget_micros.get(campaign.budget_id, campaign.budget_micros)


@dataclass(frozen=True)
class Report:
    """Builds the rows a query asks for."""

    brand: GoogleAdsBrand
    live: LiveState

    def rows(self, query: Query) -> Iterator[Row]:
        """Yield the flat rows of `query`, filtered (and ordered, if asked)."""
        if query.resource not in RESOURCES:
            raise QueryError(f"the sandbox does not serve FROM {query.resource}")
        found: Iterator[Row] = (r for r in self._candidates(query) if _matches(query, r))
        if query.order_by:
            found = iter(sorted(found, key=lambda r: _sort_key(query, r)))
        for count, row in enumerate(found, start=1):
            yield row
            if query.limit is not None and count >= query.limit:
                return

    def _candidates(self, query: Query) -> Iterator[Row]:
        dated = any(f.startswith(("metrics.", "segments.")) for f in query.fields)
        if query.resource == "customer":
            return iter([self.customer()])
        if query.resource == "campaign_budget":
            return (self.budget(c) for c in self._campaigns(query))
        days = query.date_range()
        if dated and days is None:
            raise QueryError("metrics need segments.date in SELECT and a date range in WHERE")
        if query.resource == "search_term_view":
            return self._term_rows(query, days)
        if not dated:
            return (self.campaign(c) for c in self._campaigns(query))
        return self._day_rows(query, days)

    def _campaigns(self, query: Query) -> list[AdsCampaign]:
        wanted = _wanted_ids(query, "campaign.id")
        return [c for c in self.brand.campaigns if wanted is None or c.id in wanted]

    def _day_rows(self, query: Query, days: tuple[date, date] | None) -> Iterator[Row]:
        if days is None:
            raise QueryError("metrics need a segments.date range in WHERE")
        wanted = _wanted_ids(query, "campaign.id")
        for metrics in self.brand.rows(*days):
            if wanted is None or metrics.campaign_id in wanted:
                yield self.day(metrics)

    def _term_rows(self, query: Query, days: tuple[date, date] | None) -> Iterator[Row]:
        if days is None:
            raise QueryError("search_term_view needs a segments.date range in WHERE")
        wanted = _wanted_ids(query, "campaign.id")
        for term in self.brand.term_rows(*days):
            if wanted is None or term.campaign_id in wanted:
                yield self.term(term)

    def _campaign_of(self, campaign_id: int) -> AdsCampaign:
        campaign = self.brand.campaign(campaign_id)
        if campaign is None:
            raise QueryError(f"no campaign {campaign_id}")
        return campaign

    # Row shapes

    def customer(self) -> Row:
        brand = self.brand
        return {
            "customer.resource_name": f"customers/{brand.customer_id}",
            "customer.id": int(brand.customer_id),
            "customer.descriptive_name": brand.descriptive_name,
            "customer.currency_code": brand.currency,
            "customer.time_zone": brand.time_zone,
            "customer.manager": False,
        }

    def budget(self, campaign: AdsCampaign) -> Row:
        cid = self.brand.customer_id
        return {
            "campaign_budget.resource_name": _budget_name(cid, campaign.budget_id),
            "campaign_budget.id": campaign.budget_id,
            "campaign_budget.name": f"Budget | {campaign.name}",
            "campaign_budget.amount_micros": self.live.budget(campaign),
            "campaign_budget.explicitly_shared": False,
            "campaign_budget.status": "ENABLED",
        }

    def campaign(self, campaign: AdsCampaign) -> Row:
        cid = self.brand.customer_id
        budget = self.budget(campaign)
        return {
            **self.customer(),
            **budget,
            "campaign.resource_name": f"customers/{cid}/campaigns/{campaign.id}",
            "campaign.id": campaign.id,
            "campaign.name": campaign.name,
            "campaign.status": self.live.campaign_status(campaign),
            "campaign.advertising_channel_type": campaign.channel,
            "campaign.campaign_budget": budget["campaign_budget.resource_name"],
        }

    def day(self, metrics: AdsDay) -> Row:
        campaign = self._campaign_of(metrics.campaign_id)
        return {
            **self.campaign(campaign),
            "segments.date": metrics.day.isoformat(),
            "metrics.impressions": metrics.impressions,
            "metrics.clicks": metrics.clicks,
            "metrics.cost_micros": metrics.cost_micros,
            "metrics.conversions": metrics.conversions,
            "metrics.conversions_value": metrics.conversions_value,
        }

    def term(self, term: AdsTermDay) -> Row:
        campaign = self._campaign_of(term.campaign_id)
        cid, ad_group = self.brand.customer_id, AD_GROUP_BASE + campaign.index
        encoded = base64.urlsafe_b64encode(term.term.encode()).decode().rstrip("=")
        return {
            "campaign.resource_name": f"customers/{cid}/campaigns/{campaign.id}",
            "campaign.id": campaign.id,
            "campaign.name": campaign.name,
            "search_term_view.resource_name": (
                f"customers/{cid}/searchTermViews/{campaign.id}~{ad_group}~{encoded}"
            ),
            "search_term_view.search_term": term.term,
            "search_term_view.status": "NONE",
            "segments.date": term.day.isoformat(),
            "metrics.impressions": term.impressions,
            "metrics.clicks": term.clicks,
            "metrics.cost_micros": term.cost_micros,
            "metrics.conversions": term.conversions_hundredths / 100,
        }


def to_pb(row: Row, fields: tuple[str, ...]) -> Any:
    """Return a raw GoogleAdsRow with the selected fields set."""
    message = ROW_PB()
    for name in fields:
        if name not in row:
            raise QueryError(f"unrecognized field in SELECT: {name}")
        _set(message, name, row[name])
    return message


def check_fields(query: Query, sample: Row) -> None:
    """Refuse a query that selects a field its resource does not have."""
    for name in (*query.fields, *(c.field for c in query.where)):
        if name not in sample:
            raise QueryError(f"unrecognized field: {name}")


def _set(message: Any, name: str, value: Any) -> None:
    *parents, leaf = name.split(".")
    for part in parents:
        message = getattr(message, part)
    descriptor = message.DESCRIPTOR.fields_by_name[leaf]
    if descriptor.enum_type is not None and isinstance(value, str):
        value = descriptor.enum_type.values_by_name[value].number
    setattr(message, leaf, value)


def _matches(query: Query, row: Row) -> bool:
    for condition in query.where:
        if condition.field not in row:
            raise QueryError(f"unrecognized field in WHERE: {condition.field}")
        if not condition.holds(row[condition.field]):
            return False
    return True


def _sort_key(query: Query, row: Row) -> tuple[Any, ...]:
    key: list[Any] = []
    for name, descending in query.order_by:
        value = row.get(name)
        if value is None:
            raise QueryError(f"unrecognized field in ORDER BY: {name}")
        key.append(_Desc(value) if descending else value)
    return tuple(key)


class _Desc:
    """Inverts the ordering of a value inside a sort key."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: "_Desc") -> bool:
        return bool(self.value > other.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.value == other.value


def _wanted_ids(query: Query, name: str) -> set[int] | None:
    for condition in query.where:
        if condition.field == name and condition.op in ("=", "IN"):
            return {int(v) for v in condition.values}
    return None


def _budget_name(customer_id: str, budget_id: int) -> str:
    return f"customers/{customer_id}/campaignBudgets/{budget_id}"
