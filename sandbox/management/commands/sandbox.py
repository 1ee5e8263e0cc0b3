"""Run the imitation APIs and the staff sign-in provider on loopback."""

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from sandbox.platforms.oidc import OidcClient
from sandbox.server import SCALES, SandboxOptions, build_sandbox
from sandbox.testing import LOOPBACK, start_server


class Command(BaseCommand):
    help = "Serve every imitated platform from one threaded server on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--scale", choices=SCALES, default="demo")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        client = OidcClient(settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET)
        sandbox = build_sandbox(
            SandboxOptions(options["scale"], options["seed"]), oidc_client=client
        )
        server = start_server(sandbox, options["port"])
        summary = {
            "url": f"http://{LOOPBACK}:{server.server_port}",
            "platforms": sorted(sandbox.platforms),
            "scale": options["scale"],
            "seed": options["seed"],
        }
        self.stdout.write(json.dumps(summary) if options["json"] else _one_line(summary))
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()


def _one_line(summary: dict[str, Any]) -> str:
    mounts = ", ".join(f"/{name}" for name in summary["platforms"])
    return (
        f"sandbox serving {mounts} at {summary['url']} "
        f"(scale {summary['scale']}, seed {summary['seed']}); Ctrl-C stops it"
    )
