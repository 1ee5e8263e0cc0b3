"""Close sign-up: only staff domains (via the identity provider) or admin-made users get in."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class StaffAccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Local accounts: nobody signs up; password sign-in only when allowed."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def login(self, request: HttpRequest, user: Any) -> None:
        super().login(request, user)


class StaffSocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    """Identity-provider accounts: open only to verified addresses in FLUX_STAFF_DOMAINS."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        email = (sociallogin.user.email or "").lower()
        domain = email.rpartition("@")[2]
        return bool(email) and domain in settings.FLUX_STAFF_DOMAINS
