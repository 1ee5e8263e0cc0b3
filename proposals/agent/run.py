"""One agent run: check the cap, build and guard the prompt, call Claude, store it all.

Every run leaves one AICall row: refused (cap reached, no key, personal data found, no price
for the model; nothing sent), error (the call failed, with its attempts) or ok (with the
output, tool calls, tokens, cost, and the proposals and rejections its tool calls produced).
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from integrations.anthropic.client import ClaudeCallFailed, Reply, message_stream
from integrations.models import Connection, ConnectionStatus
from proposals.agent.apply import proposals_from_tool_calls
from proposals.agent.context import AgentContext, context_build
from proposals.agent.cost import UnknownModelPrice, Usage, cost_micro_usd, model_prices
from proposals.agent.guard import PersonalDataGuard
from proposals.agent.prompt import Prompt, prompt_build
from proposals.agent.tools import tool_definitions
from proposals.guardrails import ai_spend_cap_reached
from proposals.models import AICall, AICallStatus, AICallTrigger, Proposal

logger = logging.getLogger(__name__)
JSON = dict[str, Any]


@dataclass
class AgentRun:
    """What one run did: its call, the proposals made and the tool calls rejected."""

    call: AICall
    proposals: list[Proposal] = field(default_factory=list)

    def summary(self) -> JSON:
        """Return a short JSON summary (ids, counts, statuses, never prompt text)."""
        return {
            "ai_call": self.call.pk,
            "status": self.call.status,
            "error": self.call.error,
            "cost_micro_usd": self.call.cost_micro_usd,
            "proposals": [{"id": p.pk, "kind": p.kind, "status": p.status} for p in self.proposals],
            "rejected": len(self.call.rejections),
        }


def agent_run(
    *,
    trigger: str = AICallTrigger.MANUAL,
    triggered_by: User | None = None,
    today: date | None = None,
) -> AgentRun:
    """Run the agent once and return what it did."""
    call = AICall(
        model=settings.FLUX_AI_MODEL, trigger=trigger, triggered_by=triggered_by,
        started_at=timezone.now(),
    )  # fmt: skip
    guard = PersonalDataGuard.load()
    context = context_build(guard=guard, today=today)
    prompt = prompt_build(context)
    call.system, call.messages = prompt.system, prompt.messages
    refusal = _refusal(prompt, guard)
    if refusal:
        return AgentRun(_finish(call, AICallStatus.REFUSED, refusal))
    return _call(call, prompt, context, _api_key() or "")


def agent_demo_run(*, report: Callable[[str], None]) -> AgentRun:
    """Run the agent once for the demo and report what it proposed."""
    run = agent_run(trigger=AICallTrigger.COMMAND)
    kinds = ", ".join(f"{p.kind} ({p.status})" for p in run.proposals) or "nothing"
    report(f"Claude: call {run.call.status}{' - ' + run.call.error if run.call.error else ''}; "
           f"proposed {kinds}")  # fmt: skip
    return run


def _refusal(prompt: Prompt, guard: PersonalDataGuard) -> str:
    """Return why this prompt may not be sent now ("" when it may), cheapest check first."""
    if ai_spend_cap_reached():
        return "The monthly AI spend cap is reached; no call was made."
    try:
        model_prices(settings.FLUX_AI_MODEL)
    except UnknownModelPrice:
        return f"No price for {settings.FLUX_AI_MODEL} in FLUX_AI_PRICES; no call was made."
    if _api_key() is None:
        return "No active Anthropic connection; no call was made."
    findings = guard.findings(prompt.text())
    if findings:
        found = ", ".join(str(f) for f in findings)
        return f"Personal data in the prompt ({found}); it was not sent."
    return ""


def _api_key() -> str | None:
    connection = (
        Connection.objects.filter(provider="anthropic", status=ConnectionStatus.ACTIVE)
        .select_related("credential")
        .order_by("pk")
        .first()
    )
    if connection is None or connection.credential is None:
        return None
    key = connection.credential.secret.reveal().get("api_key")
    return key if isinstance(key, str) and key else None


def _request(prompt: Prompt) -> JSON:
    return {
        "model": settings.FLUX_AI_MODEL,
        "max_tokens": settings.FLUX_AI_MAX_TOKENS,
        "system": prompt.system_blocks(),
        "messages": prompt.messages,
        "tools": tool_definitions(),
        "tool_choice": {"type": "auto"},
    }


def _call(call: AICall, prompt: Prompt, context: AgentContext, api_key: str) -> AgentRun:
    began = time.monotonic()
    try:
        reply = message_stream(api_key=api_key, request=_request(prompt))
    except ClaudeCallFailed as error:
        call.latency_ms = _elapsed_ms(began)
        call.attempts = [a.as_json() for a in error.attempts]
        logger.warning("agent call failed ai_model=%s error=%s", call.model, error)
        return AgentRun(_finish(call, AICallStatus.ERROR, str(error)))
    call.latency_ms = _elapsed_ms(began)
    _record_reply(call, reply)
    _finish(call, AICallStatus.OK, "")
    outcome = proposals_from_tool_calls(call=call, tool_calls=call.tool_calls, context=context)
    call.rejections = outcome.rejections
    call.save(update_fields=["rejections"])
    logger.info("agent call ok ai_call=%s proposals=%s rejected=%s", call.pk,
                len(outcome.proposals), len(outcome.rejections))  # fmt: skip
    return AgentRun(call, outcome.proposals)


def _record_reply(call: AICall, reply: Reply) -> None:
    message = reply.message
    usage = Usage(
        input_tokens=message.usage.input_tokens,
        output_tokens=message.usage.output_tokens,
        cache_write_tokens=message.usage.cache_creation_input_tokens or 0,
        cache_read_tokens=message.usage.cache_read_input_tokens or 0,
    )
    call.output = message.model_dump(mode="json", exclude_none=True)
    call.tool_calls = [
        {"id": b.id, "name": b.name, "input": b.input}
        for b in message.content
        if b.type == "tool_use"
    ]
    call.input_tokens, call.output_tokens = usage.input_tokens, usage.output_tokens
    call.cache_write_tokens, call.cache_read_tokens = (
        usage.cache_write_tokens,
        usage.cache_read_tokens,
    )
    call.cost_micro_usd = cost_micro_usd(call.model, usage)
    call.attempts = [a.as_json() for a in reply.attempts]


def _finish(call: AICall, status: str, error: str) -> AICall:
    call.status, call.error = status, error
    call.finished_at = timezone.now()
    call.save()
    return call


def _elapsed_ms(began: float) -> int:
    return int((time.monotonic() - began) * 1000)
