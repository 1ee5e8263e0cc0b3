"""A rule's stored JSON, parsed into typed conditions, an action and a minimum-data check.

Thresholds are Decimals in display units: money in major units of the campaign's currency,
CTR in percent, ROAS as a plain ratio. Stored JSON keeps them as strings so nothing passes
through a float.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from proposals.models import Rule

MAX_CONDITIONS = 5
MAX_WINDOW_DAYS = 90
PCT_MIN, PCT_MAX = -90, 100


class RuleSpecInvalid(ValueError):
    """A rule's stored conditions, action or minimum data do not parse."""


class Metric(StrEnum):
    SPEND = "spend"
    IMPRESSIONS = "impressions"
    CLICKS = "clicks"
    CONVERSIONS = "conversions"
    CONVERSION_VALUE = "conversion_value"
    CTR = "ctr"
    CPC = "cpc"
    CPA = "cpa"
    ROAS = "roas"

    @property
    def label(self) -> str:
        return METRIC_LABELS[self]

    @property
    def unit(self) -> str:
        """Return money, count, percent or ratio: how the value and its threshold read."""
        return METRIC_UNITS.get(self, "count")

    @property
    def uses_conversions(self) -> bool:
        """Say whether late conversions can still change it (settling days matter)."""
        return self in CONVERSION_METRICS


METRIC_LABELS = {
    Metric.SPEND: "Spend",
    Metric.IMPRESSIONS: "Impressions",
    Metric.CLICKS: "Clicks",
    Metric.CONVERSIONS: "Conversions",
    Metric.CONVERSION_VALUE: "Conversion value",
    Metric.CTR: "CTR (%)",
    Metric.CPC: "CPC",
    Metric.CPA: "CPA",
    Metric.ROAS: "ROAS",
}
METRIC_UNITS = {
    Metric.SPEND: "money",
    Metric.CONVERSION_VALUE: "money",
    Metric.CPC: "money",
    Metric.CPA: "money",
    Metric.CTR: "percent",
    Metric.ROAS: "ratio",
    Metric.CONVERSIONS: "decimal",
}
CONVERSION_METRICS = frozenset(
    {Metric.CONVERSIONS, Metric.CONVERSION_VALUE, Metric.CPA, Metric.ROAS}
)


class Op(StrEnum):
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"

    @property
    def symbol(self) -> str:
        return {"gt": ">", "gte": "≥", "lt": "<", "lte": "≤"}[self.value]

    def holds(self, value: Decimal, threshold: Decimal) -> bool:
        """Compare a measured value with the threshold."""
        if self is Op.GT:
            return value > threshold
        if self is Op.GTE:
            return value >= threshold
        if self is Op.LT:
            return value < threshold
        return value <= threshold


class ActionType(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    BUDGET_PCT = "budget_pct"
    NOTIFY = "notify"


@dataclass(frozen=True)
class Condition:
    """One metric over the last `window_days` complete days, compared with a threshold."""

    metric: Metric
    window_days: int
    op: Op
    threshold: Decimal

    def describe(self) -> str:
        """Say the condition in words, e.g. "CPA over 28 days > 40"."""
        return f"{self.metric.label} over {self.window_days} days {self.op.symbol} {self.threshold}"

    def as_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric.value,
            "window_days": self.window_days,
            "op": self.op.value,
            "threshold": str(self.threshold),
        }


@dataclass(frozen=True)
class Action:
    """What a match leads to; `pct` only for budget changes."""

    type: ActionType
    pct: int = 0

    def describe(self) -> str:
        if self.type is ActionType.BUDGET_PCT:
            return f"set the daily budget {self.pct:+d}%"
        return {"pause": "pause", "resume": "resume", "notify": "notify staff"}[self.type.value]

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type.value, "pct": self.pct}


@dataclass(frozen=True)
class MinData:
    """Data a campaign needs in the rule's longest window before the rule acts on it."""

    days: int = 0
    clicks: int = 0

    def as_json(self) -> dict[str, int]:
        return {"days": self.days, "clicks": self.clicks}


@dataclass(frozen=True)
class RuleSpec:
    """A rule, typed."""

    conditions: tuple[Condition, ...]
    action: Action
    min_data: MinData
    include_settling: bool = False
    scope_platform: str = ""  # meta / google_ads / "" for both
    scope_campaign_ids: frozenset[int] = frozenset()  # empty: every campaign

    @property
    def longest_window(self) -> int:
        return max(c.window_days for c in self.conditions)


def rule_spec(rule: Rule) -> RuleSpec:
    """Parse a stored rule, or raise RuleSpecInvalid."""
    if not isinstance(rule.conditions, list) or not rule.conditions:
        raise RuleSpecInvalid("a rule needs at least one condition")
    return RuleSpec(
        conditions=tuple(condition_parse(raw) for raw in rule.conditions),
        action=action_parse(rule.action),
        min_data=min_data_parse(rule.min_data),
        include_settling=rule.include_settling,
        scope_platform=rule.scope_platform,
        scope_campaign_ids=frozenset(rule.scope_campaigns.values_list("pk", flat=True))
        if rule.pk
        else frozenset(),
    )


def condition_parse(raw: Any) -> Condition:
    """Parse one condition's JSON."""
    if not isinstance(raw, dict):
        raise RuleSpecInvalid("a condition is an object")
    try:
        metric, op = Metric(str(raw.get("metric"))), Op(str(raw.get("op")))
    except ValueError as error:
        raise RuleSpecInvalid(f"unknown metric or operator in {raw!r}") from error
    window = raw.get("window_days")
    if isinstance(window, bool) or not isinstance(window, int) or not 0 < window <= MAX_WINDOW_DAYS:
        raise RuleSpecInvalid(f"a window is 1 to {MAX_WINDOW_DAYS} days, not {window!r}")
    return Condition(metric, window, op, threshold_parse(raw.get("threshold")))


def threshold_parse(raw: Any) -> Decimal:
    """Parse a threshold written as a plain decimal number (no floats, no exponents)."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise RuleSpecInvalid(f"a threshold is a decimal number, not {raw!r}")
    text = str(raw).strip().replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise RuleSpecInvalid(f"a threshold is a decimal number, not {raw!r}") from error
    if not value.is_finite() or "e" in text.lower() or value < 0:
        raise RuleSpecInvalid(f"a threshold is a plain non-negative number, not {raw!r}")
    return value


def action_parse(raw: Any) -> Action:
    """Parse the action's JSON."""
    if not isinstance(raw, dict):
        raise RuleSpecInvalid("the action is an object")
    try:
        kind = ActionType(str(raw.get("type")))
    except ValueError as error:
        raise RuleSpecInvalid(f"unknown action {raw.get('type')!r}") from error
    if kind is not ActionType.BUDGET_PCT:
        return Action(kind)
    pct = raw.get("pct")
    if isinstance(pct, bool) or not isinstance(pct, int) or pct == 0:
        raise RuleSpecInvalid("a budget change is a whole, non-zero percentage")
    if not PCT_MIN <= pct <= PCT_MAX:
        raise RuleSpecInvalid(f"a budget change is between {PCT_MIN}% and +{PCT_MAX}%")
    return Action(kind, pct)


def min_data_parse(raw: Any) -> MinData:
    """Parse the minimum-data JSON; missing keys mean no minimum."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise RuleSpecInvalid("the minimum data is an object")
    days, clicks = raw.get("days", 0), raw.get("clicks", 0)
    for value in (days, clicks):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RuleSpecInvalid("minimum days and clicks are whole numbers, 0 or more")
    return MinData(days=days, clicks=clicks)
