"""Parse the audit page's filter form into a queryset."""

from datetime import date, datetime, time

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from flux.audit.models import AuditEvent


class AuditFilterForm(forms.Form):
    """The filters staff can apply to the audit log; every field is optional."""

    actor = forms.CharField(required=False, max_length=150)
    action = forms.CharField(required=False, max_length=100, help_text="Prefix, e.g. privacy.")
    target_type = forms.CharField(required=False, max_length=100)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """Narrow `events` by the valid filters; call after is_valid()."""
        data = self.cleaned_data
        if data.get("actor"):
            events = events.filter(actor_label__icontains=data["actor"])
        if data.get("action"):
            events = events.filter(action__startswith=data["action"])
        if data.get("target_type"):
            events = events.filter(target_type=data["target_type"])
        if data.get("since"):
            events = events.filter(occurred_at__gte=_start_of(data["since"]))
        if data.get("until"):
            events = events.filter(occurred_at__lte=_start_of(data["until"], end=True))
        return events


def _start_of(day: date, *, end: bool = False) -> datetime:
    moment = time.max if end else time.min
    return datetime.combine(day, moment, tzinfo=timezone.get_current_timezone())
