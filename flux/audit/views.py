"""The staff page listing audit events."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from flux.audit.models import AuditEvent


def event_list(request: HttpRequest) -> HttpResponse:
    """List audit events, newest first."""
    events = AuditEvent.objects.all()[:200]
    return render(request, "audit/list.html", {"events": events})
