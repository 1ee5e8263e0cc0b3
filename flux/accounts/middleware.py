"""Gate signed-in users: no role means 403; a password sign-in means TOTP first."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url

from flux.accounts.enrolment import needs_totp_enrolment
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


# Views a password user without TOTP may still reach: enrolment, what it leads to, sign-out.
ENROLMENT_VIEWS = frozenset(
    {
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "account_logout",
    }
)


class TotpEnrolmentMiddleware:
    """Hold password users in TOTP enrolment; route the admin's own login through allauth."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], *args: object
    ) -> HttpResponse | None:
        name = request.resolver_match.view_name if request.resolver_match else ""
        if name == "admin:login":
            return _admin_login(request)
        if name in ENROLMENT_VIEWS or not needs_totp_enrolment(request):
            return None
        return redirect("mfa_activate_totp")


def _admin_login(request: HttpRequest) -> HttpResponse:
    """Send people to our sign-in: Django's admin login would skip MFA and the password switch."""
    if request.user.is_authenticated:
        # Signed in but not an admin: sending them to sign in again would loop.
        raise PermissionDenied("The admin is for the admin role.")
    return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
