"""Answer 404 to a request that came through Tailscale Funnel for anything but a public page.

Funnel publishes only the public paths (docs/operations.md), so the staff app is never on the
internet by configuration. This is the second line, for the day that configuration is wrong
(a whole port funnelled, a path added by mistake): Tailscale's proxy marks every request that
came from the internet with the `Tailscale-Funnel-Request` header and strips any copy a client
sent, so a marked request is from outside, whatever its path. A client that adds the header
itself only refuses its own request.

Public means both: under one of the public prefixes (DESIGN.md, "Public surface"), and a view
that needs no sign-in, so the staff pages under /data-deletion/requests/ and allauth's
sign-in pages stay off the internet too.
"""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

FUNNEL_HEADER = "HTTP_TAILSCALE_FUNNEL_REQUEST"
PUBLIC_PREFIXES = (
    "/privacy",
    "/data-deletion",
    "/oauth/",
    "/webhooks/",
    "/static/",
    "/healthz",
)


def came_through_funnel(request: HttpRequest) -> bool:
    """Say whether Tailscale marked this request as coming from the internet."""
    return FUNNEL_HEADER in request.META


def is_public_path(path: str) -> bool:
    """Say whether `path` lies under one of the public prefixes."""
    return path.startswith(PUBLIC_PREFIXES)


class FunnelGateMiddleware:
    """Refuse (404) a Funnel request to a path or view that is not public."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if came_through_funnel(request) and not is_public_path(request.path_info):
            raise Http404("Not published.")
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], *args: object
    ) -> None:
        if came_through_funnel(request) and getattr(view_func, "login_required", True):
            raise Http404("Not published.")
