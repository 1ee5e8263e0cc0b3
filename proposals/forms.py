"""Forms of the proposals pages: queue filters, a decision note, the guardrails."""

from django import forms

from integrations.models import Campaign
from proposals.models import Guardrails, ProposalKind, ProposalSource, ProposalStatus


def _any(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "Any"), *choices]


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string."""

    kind = forms.ChoiceField(choices=_any(ProposalKind.choices), required=False)
    status = forms.ChoiceField(choices=_any(ProposalStatus.choices), required=False)
    source = forms.ChoiceField(choices=_any(ProposalSource.choices), required=False)


class DecisionForm(forms.Form):
    """The note an approver leaves with a decision."""

    note = forms.CharField(max_length=2000, required=False, widget=forms.Textarea({"rows": 2}))


class GuardrailsForm(forms.ModelForm[Guardrails]):
    """Every guardrail an admin may change."""

    protected_campaigns = forms.ModelMultipleChoiceField(
        queryset=Campaign.objects.order_by("platform", "name"),
        required=False,
        widget=forms.SelectMultiple({"size": 8}),
    )

    class Meta:
        model = Guardrails
        fields = [
            "max_change_pct_per_action",
            "max_change_pct_per_day",
            "min_daily_budget_minor",
            "max_daily_budget_minor",
            "cooldown_hours",
            "min_data_days",
            "min_data_clicks",
            "protected_campaigns",
            "low_stock_units",
            "ai_monthly_cap_micro_usd",
            "approval_expiry_hours",
        ]
        labels = {
            "max_change_pct_per_action": "Maximum change per action (%)",
            "max_change_pct_per_day": "Maximum change per 24 hours per campaign (%)",
            "min_daily_budget_minor": "Minimum daily budget (cents)",
            "max_daily_budget_minor": "Maximum daily budget (cents)",
            "cooldown_hours": "Cooldown after any change (hours)",
            "min_data_days": "Minimum days of data before acting",
            "min_data_clicks": "Minimum clicks in the last 28 days before acting",
            "low_stock_units": "Low stock at or under (units)",
            "ai_monthly_cap_micro_usd": "Monthly AI spend cap (millionths of a dollar)",
            "approval_expiry_hours": "An approval expires after (hours)",
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for bound in self.fields.values():
            css = (
                "form-select" if isinstance(bound.widget, forms.SelectMultiple) else "form-control"
            )
            bound.widget.attrs.setdefault("class", css)

    def clean(self) -> dict[str, object]:
        """Refuse a minimum budget above the maximum."""
        data = super().clean() or {}
        low, high = data.get("min_daily_budget_minor"), data.get("max_daily_budget_minor")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            raise forms.ValidationError("The minimum daily budget is above the maximum.")
        return data
