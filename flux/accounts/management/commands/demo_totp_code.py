"""Print a demo account's current TOTP code (never in production)."""

import time
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from flux.accounts.demo import current_totp_code


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.FLUX_ENV == "production":
            raise CommandError("demo_totp_code does not run with FLUX_ENV=production.")
        try:
            user = User.objects.get(username=options["username"])
            self.stdout.write(current_totp_code(user, time.time()))
        except (User.DoesNotExist, Authenticator.DoesNotExist) as error:
            raise CommandError(f"No TOTP authenticator for {options['username']!r}.") from error
