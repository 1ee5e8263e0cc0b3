"""Delete the sealed tokens of revoked connections (also run daily by beat)."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from integrations.connections import revoked_tokens_purge


class Command(BaseCommand):
    help = "Delete the encrypted tokens of every revoked connection."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        purged = revoked_tokens_purge()
        if options["json"]:
            self.stdout.write(json.dumps({"purged": purged}))
        else:
            self.stdout.write(f"Deleted the tokens of {purged} revoked connection(s).")
