"""`seed_demo` makes sign-in-ready demo accounts; `demo_totp_code` prints their codes."""

import json
import time
from io import StringIO
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from flux.accounts.demo import current_totp_code
from flux.accounts.roles import Role, role_of

pytestmark = pytest.mark.django_db


def seed() -> Any:
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_seeding_twice_keeps_one_account_each_with_the_latest_credentials(client):
    seed()
    details = seed()
    assert User.objects.filter(username__in=["demo", "demo-admin"]).count() == 2
    assert Authenticator.objects.filter(type="totp").count() == 2
    demo = next(a for a in details["accounts"] if a["username"] == "demo")
    assert demo["otpauth_uri"].startswith("otpauth://totp/")
    assert demo["totp_secret"] in demo["otpauth_uri"]
    client.post(reverse("account_login"), {"login": "demo", "password": demo["password"]})
    user = User.objects.get(username="demo")
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(user, time.time())})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_demo_accounts_hold_operator_and_admin():
    seed()
    assert role_of(User.objects.get(username="demo")) == Role.OPERATOR
    assert role_of(User.objects.get(username="demo-admin")) == Role.ADMIN


def test_the_human_summary_names_the_url_and_the_code_command():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000" in text
    assert "manage.py demo_totp_code demo" in text


def test_demo_totp_code_prints_the_current_code():
    seed()
    out = StringIO()
    call_command("demo_totp_code", "demo", stdout=out)
    user = User.objects.get(username="demo")
    assert out.getvalue().strip() == current_totp_code(user, time.time())


def test_demo_totp_code_refuses_in_production(settings):
    seed()
    settings.FLUX_ENV = "production"
    with pytest.raises(CommandError, match="production"):
        call_command("demo_totp_code", "demo", stdout=StringIO())
