"""Demo accounts: password users with a pre-activated TOTP authenticator."""

import secrets
from dataclasses import dataclass

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth.models import Group, User
from django.db import transaction

from flux.accounts.roles import Role

DEMO_ACCOUNTS = (("demo", Role.OPERATOR), ("demo-admin", Role.ADMIN))
TOTP_PERIOD_SECONDS = 30


@dataclass(frozen=True)
class DemoAccount:
    """What a person needs to sign in as a demo account."""

    username: str
    password: str
    role: str
    otpauth_uri: str
    totp_secret: str


@transaction.atomic
def demo_account_reset(*, username: str, role: Role) -> DemoAccount:
    """Create or reset one demo account with a new password and a new TOTP secret."""
    user, _ = User.objects.get_or_create(username=username)
    password = secrets.token_urlsafe(18)
    user.set_password(password)
    user.is_active = True
    user.is_staff = user.is_superuser = role is Role.ADMIN
    user.save()
    user.groups.set([Group.objects.get_or_create(name=role.group_name)[0]])
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    uri = get_mfa_adapter().build_totp_url(user, secret)
    return DemoAccount(username, password, role.group_name, uri, secret)


def current_totp_code(user: User, now: float) -> str:
    """Return the code the user's authenticator app shows at `now`."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = get_mfa_adapter().decrypt(authenticator.data["secret"])
    return str(format_hotp_value(hotp_value(secret, int(now) // TOTP_PERIOD_SECONDS)))
