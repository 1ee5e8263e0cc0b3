"""Close sign-up: only staff domains (via the identity provider) or admin-made users get in."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from flux.accounts.enrolment import needs_totp_enrolment
from flux.accounts.oidc import StaffOIDCProvider
from flux.accounts.roles import Role


def password_login_allowed() -> bool:
    """Say whether local password accounts may sign in (FLUX_ALLOW_PASSWORD_LOGIN)."""
    return bool(settings.FLUX_ALLOW_PASSWORD_LOGIN)


def verified_staff_email(sociallogin: Any) -> str | None:
    """Return the login's email if the IdP verified it and it is at a staff domain."""
    for address in sociallogin.email_addresses:
        email = address.email.lower()
        if address.verified and email.rpartition("@")[2] in settings.FLUX_STAFF_DOMAINS:
            return str(email)
    return None


class StaffAccountAdapter(DefaultAccountAdapter):
    """Local accounts: nobody signs up; password sign-in only when allowed."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Every password check (sign-in and reauthentication) passes through here.
        if not password_login_allowed():
            raise PermissionDenied("Password sign-in is turned off; use staff SSO.")
        super().pre_authenticate(request, **credentials)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        # First enrolment follows the password just typed; later MFA changes still re-ask.
        if app == "allauth.mfa" and needs_totp_enrolment(context.request):
            return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))


class StaffSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Identity-provider accounts: new users only from verified addresses at staff domains."""

    def get_provider(
        self, request: HttpRequest, provider: str, client_id: str | None = None
    ) -> Any:
        found = super().get_provider(request, provider, client_id=client_id)
        if type(found) is OpenIDConnectProvider:
            return StaffOIDCProvider(request, app=found.app)
        return found

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        email = verified_staff_email(sociallogin)
        # An address an existing user holds is theirs to link, never a second account's.
        return email is not None and not _email_taken(email)

    def authenticate_by_email(self, sociallogin: Any) -> Any:
        """Link an admin-made user by verified email, unless a subject is already linked."""
        found = super().authenticate_by_email(sociallogin)
        if found is None:
            return None
        provider = sociallogin.account.provider
        if SocialAccount.objects.filter(user=found[0], provider=provider).exists():
            return None
        return found

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> Any:
        """Create the user and give them the viewer role."""
        user = super().save_user(request, sociallogin, form)
        user.groups.add(Group.objects.get_or_create(name=Role.VIEWER.group_name)[0])
        return user


def _email_taken(email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=email).exists()
