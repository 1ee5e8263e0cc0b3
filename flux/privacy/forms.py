"""Forms at the privacy boundary: what a visitor or a staff member may submit."""

from typing import Any

from django import forms
from django.core.validators import RegexValidator

from flux.privacy.actions import DeletionSubject
from flux.privacy.models import DeletionStatus

NOTE_MAX_CHARS = 2000


class DeletionRequestForm(forms.Form):
    """An email address or a Meta user id (exactly one), plus an optional note."""

    email = forms.EmailField(
        required=False,
        max_length=254,
        label="Email address",
        widget=forms.EmailInput(attrs={"class": "form-control", "autocomplete": "email"}),
    )
    meta_user_id = forms.CharField(
        required=False,
        max_length=32,
        label="Meta (Facebook) user id",
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        validators=[RegexValidator(r"^[0-9]+\Z", "A Meta user id is digits only.")],
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        label="Anything we should know (optional)",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = [name for name in ("email", "meta_user_id") if cleaned.get(name)]
        if len(given) != 1 and not self.errors:
            raise forms.ValidationError("Give an email address or a Meta user id: one of the two.")
        return cleaned

    def subject(self) -> DeletionSubject:
        """Return the hashed subject; call only after is_valid()."""
        if self.cleaned_data["email"]:
            return DeletionSubject.from_email(self.cleaned_data["email"])
        return DeletionSubject.from_meta_user_id(self.cleaned_data["meta_user_id"])


class RejectForm(forms.Form):
    """Why staff decline a request (kept on the request and in the audit log)."""

    reason = forms.CharField(
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )


class StatusFilterForm(forms.Form):
    """Filter for the staff list of requests."""

    status = forms.ChoiceField(
        required=False,
        choices=[("", "All statuses"), *DeletionStatus.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
