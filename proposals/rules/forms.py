"""The rule editor's form: up to five condition rows (blank rows ignored), an action, limits.

Staff type thresholds as they read them: money in major units of the campaign's currency,
CTR in percent, ROAS as a ratio. The form turns rows into the typed JSON the engine reads.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from integrations.models import AdPlatform, Campaign
from proposals.models import Rule
from proposals.rules.schedule import ScheduleInvalid, cron_parse
from proposals.rules.spec import (
    MAX_CONDITIONS,
    MAX_WINDOW_DAYS,
    PCT_MAX,
    PCT_MIN,
    ActionType,
    Metric,
    MinData,
    Op,
    RuleSpec,
    RuleSpecInvalid,
    action_parse,
    condition_parse,
    threshold_parse,
)

METRIC_CHOICES = [("", "—"), *((m.value, m.label) for m in Metric)]
OP_CHOICES = [(o.value, o.symbol) for o in Op]
ACTION_CHOICES = [
    (ActionType.PAUSE.value, "Pause the campaign"),
    (ActionType.RESUME.value, "Resume the campaign"),
    (ActionType.BUDGET_PCT.value, "Change the daily budget by a percentage"),
    (ActionType.NOTIFY.value, "Notify staff (no proposal)"),
]
PLATFORM_CHOICES = [("", "Both platforms"), *AdPlatform.choices]


class RuleForm(forms.ModelForm[Rule]):
    """Create or edit a rule."""

    action_type = forms.ChoiceField(label="Then", choices=ACTION_CHOICES)
    pct = forms.IntegerField(
        label="Budget change (%)", required=False,
        help_text=f"For budget changes: {PCT_MIN} to +{PCT_MAX}, e.g. 15 or -20.",
        error_messages={"invalid": "Write the percentage as a whole number, e.g. 15 or -20."},
    )  # fmt: skip
    min_days = forms.IntegerField(
        label="Minimum days of data", min_value=0, initial=7,
        help_text="Days with data in the rule's longest window before it acts.",
    )  # fmt: skip
    min_clicks = forms.IntegerField(
        label="Minimum clicks", min_value=0, initial=100,
        help_text="Clicks in the rule's longest window before it acts.",
    )  # fmt: skip
    scope_platform = forms.ChoiceField(label="Platform", choices=PLATFORM_CHOICES, required=False)
    scope_campaigns = forms.ModelMultipleChoiceField(
        label="Only these campaigns", required=False,
        queryset=Campaign.objects.exclude(status="REMOVED").order_by("platform", "name"),
        help_text="Leave empty for every campaign on the platform.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip

    class Meta:
        model = Rule
        fields = [
            "name", "description", "enabled", "include_settling", "schedule", "interval_hours",
        ]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        labels = {"include_settling": "Count days still settling in conversion metrics"}
        help_texts = {
            "schedule": "Optional, five fields in the brand's time zone: minute hour day month "
            "weekday (0 = Sunday), e.g. 0 7 * * 1-5. Empty: run every N hours.",
            "interval_hours": "Used when the schedule is empty.",
            "include_settling": "Off by default: recent days may still gain late conversions.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(MAX_CONDITIONS):
            self._add_row(n)
        if self.instance.pk:
            self._initial_from(self.instance)
        for field in self.fields.values():
            _style(field)

    def _add_row(self, n: int) -> None:
        self.fields[f"c{n}_metric"] = forms.CharField(
            label="Metric", required=False, widget=forms.Select(choices=METRIC_CHOICES)
        )
        self.fields[f"c{n}_window"] = forms.CharField(label="Window (days)", required=False)
        self.fields[f"c{n}_op"] = forms.ChoiceField(
            label="Compare", choices=OP_CHOICES, required=False
        )
        self.fields[f"c{n}_threshold"] = forms.CharField(label="Threshold", required=False)

    def _initial_from(self, rule: Rule) -> None:
        action = rule.action if isinstance(rule.action, dict) else {}
        min_data = rule.min_data if isinstance(rule.min_data, dict) else {}
        self.initial.update(
            action_type=action.get("type"), pct=action.get("pct") or None,
            min_days=min_data.get("days", 0), min_clicks=min_data.get("clicks", 0),
            scope_platform=rule.scope_platform,
            scope_campaigns=list(rule.scope_campaigns.values_list("pk", flat=True)),
        )  # fmt: skip
        for n, raw in enumerate(rule.conditions[:MAX_CONDITIONS]):
            self.initial.update({
                f"c{n}_metric": raw.get("metric"), f"c{n}_window": raw.get("window_days"),
                f"c{n}_op": raw.get("op"), f"c{n}_threshold": raw.get("threshold"),
            })  # fmt: skip

    def full_clean(self) -> None:
        """Validate, then mark the fields in error so Bootstrap shows their messages."""
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"

    @property
    def condition_rows(self) -> list[list[forms.BoundField]]:
        """Return the condition rows' bound fields, for the template."""
        names = ("metric", "window", "op", "threshold")
        return [[self[f"c{n}_{name}"] for name in names] for n in range(MAX_CONDITIONS)]

    def clean_schedule(self) -> str:
        """Refuse a schedule that does not parse."""
        text = " ".join(str(self.cleaned_data.get("schedule") or "").split())
        if text:
            try:
                cron_parse(text)
            except ScheduleInvalid as error:
                raise ValidationError(str(error)) from error
        return text

    def clean(self) -> dict[str, Any]:
        """Turn the condition rows and the action into the rule's JSON."""
        data = super().clean() or {}
        data["conditions"] = self._clean_conditions(data)
        data["action"] = self._clean_action(data)
        if data.get("interval_hours") == 0 and not data.get("schedule"):
            self.add_error("interval_hours", "Run at least every hour, or give a schedule.")
        return data

    def _clean_conditions(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        rows = [n for n in range(MAX_CONDITIONS) if self._row_filled(data, n)]
        conditions = [c for n in rows if (c := self._clean_row(data, n)) is not None]
        if not rows:
            self.add_error("c0_metric", "Give the rule at least one condition.")
        return conditions

    def _row_filled(self, data: dict[str, Any], n: int) -> bool:
        fields = ("metric", "window", "threshold")
        return any(str(data.get(f"c{n}_{f}") or "").strip() for f in fields)

    def _clean_row(self, data: dict[str, Any], n: int) -> dict[str, Any] | None:
        """Check one condition row, putting each problem on its own field."""
        metric = str(data.get(f"c{n}_metric") or "").strip()
        errors_before = len(self.errors)
        if metric not in {m.value for m in Metric}:
            self.add_error(f"c{n}_metric", _metric_error(metric))
        window = self._clean_window(data, n)
        threshold = self._clean_threshold(data, n)
        if len(self.errors) > errors_before:
            return None
        raw = {"metric": metric, "window_days": window, "op": data.get(f"c{n}_op") or Op.GT.value,
               "threshold": threshold}  # fmt: skip
        return condition_parse(raw).as_json()

    def _clean_window(self, data: dict[str, Any], n: int) -> int | None:
        text = str(data.get(f"c{n}_window") or "").strip()
        if not text.lstrip("-").isdigit() or not 0 < int(text) <= MAX_WINDOW_DAYS:
            self.add_error(
                f"c{n}_window", f"The window is a whole number of days, 1 to {MAX_WINDOW_DAYS}."
            )
            return None
        return int(text)

    def _clean_threshold(self, data: dict[str, Any], n: int) -> str | None:
        text = str(data.get(f"c{n}_threshold") or "").strip()
        try:
            return str(threshold_parse(text.lstrip("$")))
        except RuleSpecInvalid:
            self.add_error(
                f"c{n}_threshold",
                "Write the threshold as a plain number, 0 or more, e.g. 40, 2.5 or 1200.",
            )
            return None

    def _clean_action(self, data: dict[str, Any]) -> dict[str, Any]:
        kind, pct = data.get("action_type"), data.get("pct")
        if kind != ActionType.BUDGET_PCT:
            return {"type": kind, "pct": 0}
        try:
            return action_parse({"type": kind, "pct": pct}).as_json()
        except RuleSpecInvalid:
            self.add_error(
                "pct", f"A budget change is a whole percentage from {PCT_MIN} to +{PCT_MAX}, not 0."
            )
            return {"type": kind, "pct": 0}

    def rule_fields(self) -> dict[str, Any]:
        """Return the rule's stored fields."""
        data = self.cleaned_data
        return {
            "name": data["name"], "description": data["description"],
            "enabled": data["enabled"], "include_settling": data["include_settling"],
            "schedule": data["schedule"], "interval_hours": data["interval_hours"],
            "scope_platform": data["scope_platform"] or "",
            "conditions": data["conditions"], "action": data["action"],
            "min_data": MinData(days=data["min_days"], clicks=data["min_clicks"]).as_json(),
        }  # fmt: skip

    def spec(self) -> RuleSpec:
        """Return the typed rule, for a dry run before saving."""
        data = self.cleaned_data
        return RuleSpec(
            conditions=tuple(condition_parse(c) for c in data["conditions"]),
            action=action_parse(data["action"]),
            min_data=MinData(days=data["min_days"], clicks=data["min_clicks"]),
            include_settling=data["include_settling"],
            scope_platform=data["scope_platform"] or "",
            scope_campaign_ids=frozenset(c.pk for c in data["scope_campaigns"]),
        )


def _metric_error(metric: str) -> str:
    if not metric:
        return "Choose a metric for this condition, or clear the row."
    return f"Unknown metric “{metric}”."


def _style(field: forms.Field) -> None:
    widget = field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    widget.attrs.setdefault("class", css)
