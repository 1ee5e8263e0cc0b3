from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def index(request: HttpRequest) -> HttpResponse:
    """Show the sandbox page."""
    return render(request, "sandbox/index.html")
