"""Public privacy pages and the staff view of deletion requests."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_not_required
def policy(request: HttpRequest) -> HttpResponse:
    """Render the privacy policy."""
    return render(request, "privacy/policy.html")


@login_not_required
def deletion(request: HttpRequest) -> HttpResponse:
    """Explain data deletion."""
    return render(request, "privacy/deletion.html")


def requests_list(request: HttpRequest) -> HttpResponse:
    """List deletion requests for staff."""
    return render(request, "privacy/requests.html")
