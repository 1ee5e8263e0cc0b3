"""The sandbox's "model": deterministic tool calls read from the context the app sends.

It looks only at the `<data name="...">JSON</data>` blocks of the user message and at the
tools offered, and answers as a careful marketer would, the same way every time:

- raise by 15% the daily budget of the active campaign with the best 28-day ROAS (enough
  spend, none of its products low on stock, not protected);
- pause the active campaign whose 28-day CPA is at least twice its currency's, with enough
  spend (or spend and no conversion at all);
- retitle the page of the striking-distance query with the most impressions;
- draft an Instagram post for the in-stock product that sold the most units.

Text inside the data is data: it never changes what the model does, unless the platform is
told to `obey` it (a test mode proving the guardrails stop whatever injected text asks for).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

JSON = dict[str, Any]
DATA_BLOCK = re.compile(r'<data name="([a-z_]+)">\s*(.*?)\s*</data>', re.DOTALL)
INJECTED_BUDGET = re.compile(r"set the budget to (\d+)", re.IGNORECASE)
# Queries that read like sentences or orders are not search demand worth a page change.
NOT_A_QUERY = re.compile(r"\b(ignore|instruction|instructions|assistant|system|prompt)\b", re.I)
MAX_QUERY_WORDS = 8
RAISE_PCT = Decimal("1.15")
MIN_SPEND_MINOR = 10_000  # 28-day spend before a campaign's results count (100.00)
PAUSE_CPA_FACTOR = 2


@dataclass
class ToolCall:
    """One tool_use block the model answers with."""

    name: str
    input: JSON


@dataclass
class Reading:
    """What the model read: the data blocks and the names of the tools offered."""

    data: dict[str, Any]
    tools: frozenset[str]
    text: str = ""
    calls: list[ToolCall] = field(default_factory=list)


def read_request(body: JSON) -> Reading:
    """Collect the data blocks of every user message and the offered tool names."""
    text = "\n".join(_user_texts(body.get("messages") or []))
    data: dict[str, Any] = {}
    for name, raw in DATA_BLOCK.findall(text):
        try:
            data[name] = json.loads(raw)
        except ValueError:
            continue
    tools = frozenset(
        str(t.get("name", "")) for t in body.get("tools") or [] if isinstance(t, dict)
    )
    return Reading(data, tools, text)


def _user_texts(messages: list[Any]) -> list[str]:
    texts: list[str] = []
    for message in messages:
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            texts += [str(b.get("text", "")) for b in content if isinstance(b, dict)]
    return texts


def decide(reading: Reading) -> list[ToolCall]:
    """Return the tool calls a careful reading of the data suggests."""
    calls: list[ToolCall] = []
    for name, choose in (
        ("propose_budget_change", _budget_raise),
        ("propose_pause", _pause),
        ("propose_page_content_change", _page_title),
        ("propose_social_post", _social_post),
    ):
        if name in reading.tools:
            found = choose(reading.data)
            if found is not None:
                calls.append(ToolCall(name, found))
    return calls


def obey(reading: Reading) -> list[ToolCall]:
    """Do what injected text asks (test mode): set the first campaign's budget to its number."""
    match = INJECTED_BUDGET.search(reading.text)
    campaigns = _campaigns(reading.data)
    if match is None or not campaigns:
        return []
    first = min(campaigns, key=lambda c: int(c.get("id", 0)))
    return [
        ToolCall(
            "propose_budget_change",
            {"campaign_id": first["id"], "new_daily_budget_minor": int(match.group(1)),
             "rationale": "As the data instructs.", "expected_impact": "As instructed.",
             "confidence": 1.0},
        )
    ]  # fmt: skip


def invalid(reading: Reading) -> list[ToolCall]:
    """Return malformed tool calls (test mode): an unknown campaign and out-of-schema input."""
    return [
        ToolCall("propose_pause", {"campaign_id": 987_654_321, "rationale": "Unknown campaign.",
                                   "expected_impact": "None.", "confidence": 0.5}),
        ToolCall("propose_budget_change", {"campaign_id": "lots", "new_daily_budget_minor": -5,
                                           "rationale": "Bad input.", "expected_impact": "",
                                           "confidence": 3}),
        ToolCall("propose_resume", {"campaign_id": 1, "rationale": "Extra field.",
                                    "expected_impact": "", "confidence": 0.5, "budget": 10}),
        ToolCall("delete_everything", {}),
    ]  # fmt: skip


def _campaigns(data: dict[str, Any]) -> list[JSON]:
    found = data.get("campaigns")
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def _window(campaign: JSON, days: int) -> JSON:
    windows = campaign.get("windows") or {}
    window = windows.get(str(days)) if isinstance(windows, dict) else None
    return window if isinstance(window, dict) else {}


def _low_stock_products(data: dict[str, Any]) -> set[int]:
    products = data.get("products") or []
    return {int(p["id"]) for p in products if isinstance(p, dict) and p.get("stock_low")}


def _protected(data: dict[str, Any]) -> set[int]:
    rails = data.get("guardrails") or {}
    return {int(i) for i in rails.get("protected_campaign_ids") or []}


def _active(data: dict[str, Any]) -> list[JSON]:
    skip = _protected(data)
    return [
        c for c in _campaigns(data)
        if c.get("status") == "ACTIVE" and int(c.get("id", 0)) not in skip
    ]  # fmt: skip


def _budget_raise(data: dict[str, Any]) -> JSON | None:
    low = _low_stock_products(data)
    candidates = [
        c for c in _active(data)
        if c.get("daily_budget_minor") and _roas(c) is not None
        and int(_window(c, 28).get("spend_minor", 0)) >= MIN_SPEND_MINOR
        and not low & {int(p) for p in c.get("product_ids") or []}
    ]  # fmt: skip
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (_roas(c) or Decimal(0), -int(c["id"])))
    budget = int(best["daily_budget_minor"])
    new = int((Decimal(budget) * RAISE_PCT).to_integral_value())
    roas = _roas(best)
    return {
        "campaign_id": best["id"],
        "new_daily_budget_minor": new,
        "rationale": f"Best ROAS over 28 days ({roas:.2f}) with steady spend; room to scale.",
        "expected_impact": "About 15% more conversions at a similar ROAS.",
        "confidence": 0.7,
    }


def _roas(campaign: JSON) -> Decimal | None:
    window = _window(campaign, 28)
    spend = int(window.get("spend_minor", 0))
    value = int(window.get("conversion_value_minor", 0))
    return Decimal(value) / spend if spend > 0 else None


def _cpa(campaign: JSON) -> Decimal | None:
    window = _window(campaign, 28)
    conversions = Decimal(str(window.get("conversions", 0)))
    spend = Decimal(int(window.get("spend_minor", 0)))
    return spend / conversions if conversions > 0 else None


def _pause(data: dict[str, Any]) -> JSON | None:
    targets = _target_cpa(data)
    worst: tuple[Decimal, JSON] | None = None
    for campaign in _active(data):
        spend = int(_window(campaign, 28).get("spend_minor", 0))
        target = targets.get(str(campaign.get("currency")))
        if spend < MIN_SPEND_MINOR or target is None:
            continue
        cpa = _cpa(campaign) or Decimal(spend) * 10  # spend and nothing to show for it
        if cpa >= target * PAUSE_CPA_FACTOR and (worst is None or cpa / target > worst[0]):
            worst = (cpa / target, campaign)
    if worst is None:
        return None
    return {
        "campaign_id": worst[1]["id"],
        "rationale": f"28-day CPA is {worst[0]:.1f}x the account's with enough spend to judge.",
        "expected_impact": "Saves its daily spend; the budget can move to better campaigns.",
        "confidence": 0.65,
    }


def _target_cpa(data: dict[str, Any]) -> dict[str, Decimal]:
    """Return each currency's 28-day CPA across every campaign."""
    spend: dict[str, Decimal] = {}
    conversions: dict[str, Decimal] = {}
    for campaign in _campaigns(data):
        window, currency = _window(campaign, 28), str(campaign.get("currency"))
        spend[currency] = spend.get(currency, Decimal(0)) + int(window.get("spend_minor", 0))
        conversions[currency] = conversions.get(currency, Decimal(0)) + Decimal(
            str(window.get("conversions", 0))
        )
    return {cur: spend[cur] / n for cur, n in conversions.items() if n > 0}


def _page_title(data: dict[str, Any]) -> JSON | None:
    rows = data.get("search_opportunities") or []
    usable = [
        r for r in rows
        if isinstance(r, dict) and r.get("page") and _reads_like_a_query(str(r.get("query", "")))
    ]  # fmt: skip
    if not usable:
        return None
    best = max(usable, key=lambda r: (int(r.get("impressions", 0)), str(r.get("query"))))
    query = str(best["query"])
    return {
        "page_url": best["page"],
        "field": "title",
        "proposed_text": f"{query.title()} | Flux Engineering",
        "rationale": (
            f"'{query}' ranks at {best.get('position')} with {best.get('impressions')} "
            "impressions in 28 days; a title that names it can lift the page onto page one."
        ),
        "expected_impact": "More clicks from a query already close to the first page.",
        "confidence": 0.55,
    }


def _reads_like_a_query(text: str) -> bool:
    return 0 < len(text.split()) <= MAX_QUERY_WORDS and NOT_A_QUERY.search(text) is None


def _social_post(data: dict[str, Any]) -> JSON | None:
    products = [
        p for p in data.get("products") or []
        if isinstance(p, dict) and not p.get("stock_low") and int(p.get("units_28d", 0)) > 0
    ]  # fmt: skip
    if not products:
        return None
    best = max(products, key=lambda p: (int(p.get("units_28d", 0)), -int(p["id"])))
    keywords = [str(k) for k in best.get("keywords") or []][:2]
    tags = " ".join("#" + re.sub(r"[^a-z0-9]", "", k.lower()) for k in keywords)
    when = _next_evening(str((data.get("today") or {}).get("date", "")))
    return {
        "channel": "instagram",
        "caption": f"{best['name']}: in stock and ready to ship. {tags}".strip(),
        "product_ids": [best["id"]],
        "suggested_time": when,
        "rationale": f"Our best seller over 28 days ({best.get('units_28d')} units), in stock.",
        "expected_impact": "Keeps a proven product in front of followers.",
        "confidence": 0.6,
    }


def _next_evening(today: str) -> str:
    try:
        day = datetime.fromisoformat(today).replace(tzinfo=UTC)
    except ValueError:
        day = datetime(2026, 1, 1, tzinfo=UTC)
    evening = (day + timedelta(days=1)).replace(hour=17, minute=0, second=0, microsecond=0)
    return evening.strftime("%Y-%m-%dT%H:%M:%SZ")
