"""Typing for requests that pass through django-htmx's middleware."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest with the `htmx` attribute django-htmx adds."""

    htmx: HtmxDetails
