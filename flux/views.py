"""The home page and the health probe."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from flux.health import database_status, redis_status


def home(request: HttpRequest) -> HttpResponse:
    """Show the shell's start page."""
    return render(request, "home.html")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when every configured service answers, else 503."""
    checks = {"database": database_status()}
    redis = redis_status()
    if redis is not None:
        checks["redis"] = redis
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "error", **checks}
    return JsonResponse(body, status=200 if healthy else 503)
