"""Run the imitation APIs and the staff sign-in provider on loopback."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from sandbox.platforms.google_ads import GoogleAdsPlatform
from sandbox.platforms.google_ads_server import RunningGoogleAds, google_ads_server
from sandbox.platforms.oidc import OidcClient
from sandbox.server import SCALES, SandboxOptions, build_sandbox
from sandbox.testing import LOOPBACK, start_server


class Command(BaseCommand):
    help = "Serve every imitated platform from one threaded server on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--google-ads-port", type=int, default=None, help="Default: --port + 1 (0: any)."
        )
        parser.add_argument("--scale", choices=SCALES, default="demo")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        client = OidcClient(settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET)
        sandbox = build_sandbox(
            SandboxOptions(options["scale"], options["seed"]), oidc_client=client
        )
        server = start_server(sandbox, options["port"])
        grpc_port = options["google_ads_port"]
        if grpc_port is None:
            grpc_port = options["port"] + 1 if options["port"] else 0
        google_ads = _google_ads(sandbox.platforms["google_ads"], grpc_port)
        summary = {
            "url": f"http://{LOOPBACK}:{server.server_port}",
            "google_ads_endpoint": google_ads.endpoint,
            "google_ads_ca_file": str(google_ads.ca_file),
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
            google_ads.stop()
            server.server_close()


def _google_ads(platform: Any, port: int) -> RunningGoogleAds:
    """Serve Google Ads over gRPC, its certificate kept so a restart stays trusted."""
    assert isinstance(platform, GoogleAdsPlatform)  # noqa: S101 - build_sandbox mounts it
    return google_ads_server(platform, port=port, tls_dir=Path(settings.BASE_DIR) / "var")


def _one_line(summary: dict[str, Any]) -> str:
    mounts = ", ".join(f"/{name}" for name in summary["platforms"])
    return (
        f"sandbox serving {mounts} at {summary['url']} "
        f"(scale {summary['scale']}, seed {summary['seed']}); Google Ads gRPC at "
        f"{summary['google_ads_endpoint']} (GOOGLE_ADS_CA_FILE={summary['google_ads_ca_file']}); "
        "Ctrl-C stops it"
    )
