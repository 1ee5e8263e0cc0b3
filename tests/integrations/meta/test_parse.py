"""Graph API answers parse into typed records; money converts exactly; odd shapes are named."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from integrations.meta import parse
from integrations.meta.client import usage_percent

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_an_insights_row_becomes_micros_and_the_deduplicated_purchase_count():
    day = parse.insight_day(fixture("insights_row.json"))
    assert day.day == date(2026, 11, 1)
    assert day.spend_micros == 172_110_000
    assert day.purchases == Decimal(6)
    assert day.purchase_value_micros == 264_310_000
    assert day.attribution_setting == "7d_click_1d_view"


def test_a_day_without_actions_has_no_purchases():
    raw = fixture("insights_row.json")
    del raw["actions"], raw["action_values"]
    day = parse.insight_day(raw)
    assert day.purchases == 0
    assert day.purchase_value_micros == 0


@pytest.mark.parametrize(
    ("key", "value"), [("spend", "12.3.4"), ("impressions", "many"), ("spend", "0.0000001")]
)
def test_numbers_that_do_not_parse_are_a_named_transient_error(key: str, value: str):
    raw = {**fixture("insights_row.json"), key: value}
    with pytest.raises(parse.MalformedResponse) as raised:
        parse.insight_day(raw)
    assert not raised.value.permanent


def test_a_campaign_keeps_its_budget_in_minor_units_and_its_local_start_day():
    campaign = parse.campaign(fixture("campaign.json"))
    assert campaign.daily_budget == 5000
    assert campaign.lifetime_budget is None
    assert campaign.start_date == date(2026, 3, 1)
    assert parse.STATUS_NORMAL[campaign.status] == "REMOVED"


def test_zero_decimal_currencies_have_offset_one():
    assert parse.currency_offset("JPY") == 1
    assert parse.currency_offset("usd") == 100


def test_debug_token_gives_the_expiry_and_zero_means_never():
    info = parse.token_info(fixture("debug_token.json"))
    assert info.expires_at == datetime.fromtimestamp(1_800_000_000, UTC)
    never = fixture("debug_token.json")
    never["data"]["expires_at"] = 0
    assert parse.token_info(never).expires_at is None


def test_targeting_reads_as_one_line():
    summary = parse.targeting_summary(
        {
            "age_min": 25,
            "age_max": 54,
            "genders": [2],
            "geo_locations": {"countries": ["US", "CA"]},
            "flexible_spec": [{"interests": [{"id": "1", "name": "Physics"}]}],
        }
    )
    assert summary == "ages 25-54, women, US/CA; interests: Physics"


def test_usage_is_the_highest_percent_of_any_header():
    headers = {
        "X-Business-Use-Case-Usage": json.dumps({"1": [{"call_count": 12, "total_time": 81}]}),
        "X-App-Usage": json.dumps({"call_count": 5}),
        "X-Ad-Account-Usage": "not json",
    }
    assert usage_percent(headers) == 81
