"""Parse the exceptions page's filters and the case actions into typed values."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from flux.accounts.roles import Role
from reconciliation.models import BUCKETS, FLAGS, CaseStatus
from reconciliation.selectors import SORTS, CaseFilter


def staff_users() -> QuerySet:  # type: ignore[type-arg]
    """Return the people a case can be given to: operators and admins."""
    names = [Role.OPERATOR.group_name, Role.ADMIN.group_name]
    return get_user_model().objects.filter(is_active=True, groups__name__in=names).distinct()


class CaseFilterForm(forms.Form):
    """The filters of the exceptions page; every field is optional."""

    bucket = forms.ChoiceField(
        required=False, choices=[("", "Any bucket")] + [(b, b) for b in BUCKETS]
    )
    flag = forms.ChoiceField(required=False, choices=[("", "Any flag")] + [(f, f) for f in FLAGS])
    owner = forms.CharField(required=False, max_length=12)
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *CaseStatus.choices], initial=CaseStatus.OPEN
    )
    min_age = forms.IntegerField(required=False, min_value=0, max_value=3650, label="Age at least")
    sort = forms.ChoiceField(
        required=False,
        choices=[(key, key) for key in SORTS],
    )

    def selected(self) -> CaseFilter:
        """Return the parsed filters (defaults where a field is blank or invalid)."""
        if not self.is_bound:
            return CaseFilter()
        data = self.cleaned_data if self.is_valid() else {}
        return CaseFilter(
            bucket=data.get("bucket") or "",
            flag=data.get("flag") or "",
            owner=data.get("owner") or "",
            status=data.get("status", CaseStatus.OPEN),
            min_age=data.get("min_age"),
            sort=data.get("sort") or "-age",
        )


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=staff_users(), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["owner"].queryset = staff_users()  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(CaseStatus.RESOLVED, "Resolve"), (CaseStatus.IGNORED, "Ignore")]
    )
    reason = forms.CharField(max_length=300)


class DecideForm(forms.Form):
    label = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(choices=[("confirm", "Confirm"), ("reject", "Reject")])
