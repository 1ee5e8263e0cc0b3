"""Create (or reset) the demo accounts and print how to sign in as them."""

import json
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from flux.accounts.demo import DEMO_ACCOUNTS, DemoAccount, demo_account_reset
from sandbox.demo import demo_connections_sync, sandbox_wait


class Command(BaseCommand):
    help = "Create or reset the demo operator and admin, each with a password and TOTP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the details as JSON.")
        parser.add_argument(
            "--sandbox",
            default="",
            metavar="URL",
            help="Also connect every provider to the sandbox at URL and sync it once.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo does not run with FLUX_ENV=production.")
        if options["sandbox"]:
            sandbox_wait(options["sandbox"])
            demo_connections_sync(report=self.stdout.write)
        accounts = [demo_account_reset(username=name, role=role) for name, role in DEMO_ACCOUNTS]
        url = settings.FLUX_PUBLIC_URL or "http://127.0.0.1:8000"
        if options["json"]:
            self.stdout.write(json.dumps({"url": url, "accounts": [asdict(a) for a in accounts]}))
            return
        self.stdout.write(f"Demo accounts are ready. Sign in at {url}")
        self.stdout.write(
            "  Staff SSO: press 'Sign in with Flux staff SSO' and pick a sandbox identity."
        )
        for account in accounts:
            self.stdout.write(_describe(account))


def _describe(account: DemoAccount) -> str:
    return (
        f"\n  {account.role}: username {account.username}  password {account.password}\n"
        f"    TOTP: {account.otpauth_uri}\n"
        f"    current code: .venv/bin/python manage.py demo_totp_code {account.username}"
    )
