"""Rules fixtures: the hand-computed campaign every metric test reads."""

from datetime import date

import pytest

from integrations.models import Campaign
from proposals.models import Guardrails
from tests.proposals.rules.factories import campaign_make, day_add


@pytest.fixture
def gear_clock(loose_guardrails: Guardrails) -> Campaign:
    """A New York campaign whose last complete day (at NOW) is 2026-03-09.

    7 days (03-03..03-09): spend 200.00, 4000 impressions, 100 clicks; the settled day
    (03-07) alone has spend 40.00, 1 conversion, value 50.00.
    14 days (02-24..03-09) add 03-01: spend 200.00, 4000 impressions, 100 clicks,
    3 conversions, value 500.00 (settled).
    """
    campaign = campaign_make("Gear Clock")
    day_add(campaign, date(2026, 3, 10), impressions=9999, clicks=999, spend="999")  # today
    day_add(campaign, date(2026, 3, 9), impressions=1000, clicks=50, spend="100.00",
            conversions="2", value="300.00", settling=True)  # fmt: skip
    day_add(campaign, date(2026, 3, 8), impressions=2000, clicks=40, spend="60.00",
            conversions="1", value="90.00", settling=True)  # fmt: skip
    day_add(campaign, date(2026, 3, 7), impressions=1000, clicks=10, spend="40.00",
            conversions="1", value="50.00")  # fmt: skip
    day_add(campaign, date(2026, 3, 1), impressions=4000, clicks=100, spend="200.00",
            conversions="3", value="500.00")  # fmt: skip
    day_add(campaign, date(2026, 2, 20), impressions=5000, clicks=500, spend="1000")  # too old
    return campaign
