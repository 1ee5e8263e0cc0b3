from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def index(request: HttpRequest) -> HttpResponse:
    """Show the dashboards page."""
    return render(request, "dashboards/index.html")
