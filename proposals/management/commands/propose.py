"""Run the Claude agent once, in-process, and print what it proposed."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from proposals.agent.run import agent_run
from proposals.models import AICallTrigger


class Command(BaseCommand):
    help = "Run the Claude agent once in-process: one AI call, its proposals and rejections."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = agent_run(trigger=AICallTrigger.COMMAND).summary()
        if options["json"]:
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(
            f"AI call {summary['ai_call']}: {summary['status']}"
            f"{' - ' + summary['error'] if summary['error'] else ''}; "
            f"cost ${summary['cost_micro_usd'] / 1_000_000:.4f}; "
            f"{len(summary['proposals'])} proposals, {summary['rejected']} tool calls rejected"
        )
        for proposal in summary["proposals"]:
            self.stdout.write(f"  #{proposal['id']} {proposal['kind']}: {proposal['status']}")
