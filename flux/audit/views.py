"""The staff page listing audit events."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render

from flux.audit.filters import AuditFilterForm
from flux.audit.models import AuditEvent
from flux.htmx import HtmxHttpRequest

PAGE_SIZE = 50


def event_list(request: HtmxHttpRequest) -> HttpResponse:
    """List audit events, newest first, narrowed by the filter form."""
    form = AuditFilterForm(request.GET or None)
    events: QuerySet[AuditEvent] = AuditEvent.objects.all()
    if form.is_bound and form.is_valid():
        events = form.filter(events)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "audit/list.html#results" if request.htmx else "audit/list.html"
    return render(request, template, context)
