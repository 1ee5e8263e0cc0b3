"""Nothing leaves when the prompt holds personal data or the month's AI spend cap is reached."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from integrations.models import Connection, Label
from proposals.agent.run import agent_run
from proposals.models import AICall, AICallStatus, Guardrails, Proposal
from tests.proposals.agent.conftest import GEAR_PAGE, search_rows

pytestmark = pytest.mark.django_db


def _refused_without_sending(claude) -> AICall:
    call = agent_run().call
    assert call.status == AICallStatus.REFUSED
    assert claude.platform.requests == []  # the sandbox saw nothing at all
    assert Proposal.objects.count() == 0
    return call


@pytest.mark.parametrize(
    ("planted", "kind"),
    [
        ("Questions? Mail jamie.fox@example.net.", "1 email address"),
        ("Call us on +1 512-555-0199 today.", "1 phone number"),
        ("Visit the shop at 77 Anvil Ct, Austin.", "1 street address"),
    ],
)
def test_personal_data_in_a_description_refuses_the_call(
    claude_connection, shop, claude, planted, kind
):
    shop.clock.description = planted
    shop.clock.save()
    call = _refused_without_sending(claude)
    assert call.error == f"Personal data in the prompt ({kind}); it was not sent."
    assert planted not in call.error


def test_a_recipient_name_known_from_shippo_refuses_the_call(claude_connection, shop, claude):
    connection = Connection.objects.create(provider="shippo", external_account_id="test")
    Label.objects.create(connection=connection, object_id="l1", object_state="VALID",
                         status="SUCCESS", object_created=timezone.now(),
                         object_updated=timezone.now(), recipient_name="Morgan Vance")  # fmt: skip
    shop.winner.name = "Thank you Morgan Vance"
    shop.winner.save()
    call = _refused_without_sending(claude)
    assert "1 recipient name" in call.error


def test_a_personal_search_query_is_left_out_rather_than_refusing(claude_connection, shop):
    search_rows(GEAR_PAGE, "gear clock for jamie.fox@example.net", position=11.0, impressions=90)
    call = agent_run().call
    assert call.status == AICallStatus.OK
    assert "jamie.fox" not in call.messages[0]["content"]


def test_the_spend_cap_stops_calls_once_reached(claude_connection, shop, claude):
    rails = Guardrails.current()
    rails.ai_monthly_cap_micro_usd = 1_000_000
    rails.save()
    AICall.objects.create(model="claude-sonnet-4-6", status=AICallStatus.OK,
                          cost_micro_usd=1_000_000, started_at=datetime.now(UTC))  # fmt: skip
    call = _refused_without_sending(claude)
    assert call.error == "The monthly AI spend cap is reached; no call was made."
    assert call.cost_micro_usd == 0


def test_calls_stop_when_their_own_cost_reaches_the_cap(claude_connection, shop, claude):
    first = agent_run().call
    rails = Guardrails.current()
    rails.ai_monthly_cap_micro_usd = first.cost_micro_usd
    rails.save()
    second = agent_run().call
    assert second.status == AICallStatus.REFUSED
    assert claude.message_requests == 1
