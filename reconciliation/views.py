from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def index(request: HttpRequest) -> HttpResponse:
    """Show the reconciliation page."""
    return render(request, "reconciliation/index.html")
