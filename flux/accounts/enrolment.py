"""Who must enrol an authenticator app: users signed in this session with a local password."""

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.http import HttpRequest


def signed_in_with_password(request: HttpRequest) -> bool:
    """Say whether this session's sign-in used a local password."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "password" for record in records)


def needs_totp_enrolment(request: HttpRequest) -> bool:
    """Say whether the signed-in user used a password and has no active TOTP authenticator."""
    user = request.user
    if not user.is_authenticated or not signed_in_with_password(request):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
