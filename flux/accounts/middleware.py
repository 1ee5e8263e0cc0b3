"""Keep signed-in users who hold no staff role out of every staff page."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from flux.accounts.roles import role_of


class StaffGateMiddleware:
    """Answer 403 to a signed-in user without a role, except on public and sign-out views."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], *args: object
    ) -> None:
        if not getattr(view_func, "login_required", True):
            return  # public views and allauth's own sign-in/out pages
        if request.user.is_authenticated and role_of(request.user) is None:
            raise PermissionDenied("Your account has no staff role yet. Ask an admin.")
