"""Retries are bounded and recorded: the SDK's on 429/529, the app's on a broken stream."""

import pytest

from proposals.agent.run import agent_run
from proposals.models import AICallStatus, ProposalKind

pytestmark = pytest.mark.django_db


def _statuses(call):
    return [(a["status"], a["error"]) for a in call.attempts]


def test_a_rate_limit_and_an_overload_are_retried_by_the_sdk(claude_connection, shop, claude):
    claude.arm("rate_limited", "overloaded")
    call = agent_run().call
    assert call.status == AICallStatus.OK
    assert _statuses(call) == [(429, ""), (529, ""), (200, "")]
    assert claude.message_requests == 3


def test_sdk_retries_stop_at_the_configured_bound(claude_connection, shop, claude, settings):
    settings.FLUX_AI_SDK_MAX_RETRIES = 1
    claude.arm("server_error", "server_error", "server_error")
    call = agent_run().call
    assert call.status == AICallStatus.ERROR
    assert call.error == "api_error (HTTP 500)"
    assert _statuses(call) == [(500, ""), (500, "")]
    assert claude.message_requests == 2


def test_an_overload_in_the_middle_of_a_stream_is_retried_by_the_app(
    claude_connection, shop, claude
):
    claude.arm("overloaded_mid_stream")
    run = agent_run()
    assert run.call.status == AICallStatus.OK
    assert _statuses(run.call) == [(200, ""), (200, "overloaded"), (200, "")]
    assert ProposalKind.BUDGET in {p.kind for p in run.proposals}


def test_broken_streams_are_retried_a_bounded_number_of_times(
    claude_connection, shop, claude, settings
):
    settings.FLUX_AI_STREAM_ATTEMPTS = 2
    claude.arm("overloaded_mid_stream", "overloaded_mid_stream", "overloaded_mid_stream")
    run = agent_run()
    assert run.call.status == AICallStatus.ERROR
    assert run.call.error == "overloaded_error (HTTP 200)"
    assert claude.message_requests == 2
    assert run.proposals == []


def test_a_malformed_answer_is_an_error_with_no_proposal(claude_connection, shop, claude):
    claude.arm("malformed")
    run = agent_run()
    assert run.call.status == AICallStatus.ERROR
    assert run.proposals == []


def test_malformed_tool_calls_are_rejected_and_logged(claude_connection, shop, claude):
    claude.arm("invalid_tools")
    run = agent_run()
    assert run.call.status == AICallStatus.OK
    assert run.proposals == []
    reasons = {r["name"]: r["reason"] for r in run.call.rejections}
    assert reasons["propose_pause"] == "no live campaign with id 987654321"
    assert "campaign_id: int_type" in reasons["propose_budget_change"]
    assert "extra_forbidden" in reasons["propose_resume"]
    assert reasons["delete_everything"] == "no tool named 'delete_everything'"
