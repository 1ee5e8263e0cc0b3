"""`manage.py propose` runs the agent in-process and prints a summary."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from proposals.models import AICall, AICallTrigger, Proposal

pytestmark = pytest.mark.django_db


def test_propose_creates_proposals_from_the_sandbox_model(claude_connection, shop):
    out = StringIO()
    call_command("propose", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    call = AICall.objects.get()
    assert summary["ai_call"] == call.pk
    assert summary["status"] == "ok"
    assert call.trigger == AICallTrigger.COMMAND
    assert {p["id"] for p in summary["proposals"]} == set(
        Proposal.objects.filter(ai_call=call).values_list("pk", flat=True)
    )
    assert len(summary["proposals"]) == 4


def test_the_human_summary_names_the_call_and_each_proposal(claude_connection, shop):
    out = StringIO()
    call_command("propose", stdout=out)
    text = out.getvalue()
    call = AICall.objects.get()
    assert text.startswith(f"AI call {call.pk}: ok; cost $0.0")
    assert "4 proposals, 0 tool calls rejected" in text
    assert "budget: pending" in text
