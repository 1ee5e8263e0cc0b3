"""The whole sandbox on loopback, recording every request it receives, and the app pointed at it."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from sandbox.platforms.google_ads import DEMO_DEVELOPER_TOKEN, GoogleAdsPlatform
from sandbox.platforms.google_ads_server import running_google_ads
from sandbox.platforms.google_oauth import GoogleApp
from sandbox.platforms.meta import MetaApp
from sandbox.platforms.squarespace import SquarespaceApp
from sandbox.server import Sandbox, SandboxOptions, build_sandbox
from sandbox.testing import running_sandbox


class RecordingSandbox(Sandbox):
    """The sandbox, remembering every request ("METHOD /path"), so a test can prove none came."""

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox.platforms.values())
        self.paths: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.paths.append(f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}")
        return super().__call__(environ, start_response)


@dataclass
class RunningSandbox:
    app: RecordingSandbox
    url: str
    settings: dict[str, str]

    @property
    def paths(self) -> list[str]:
        return self.app.paths


def sandbox_settings(url: str, grpc_endpoint: str, ca_file: str) -> dict[str, str]:
    """Every base URL and app credential of the app, pointed at the sandbox at `url`."""
    google = GoogleApp()
    return {
        "SQUARESPACE_API_URL": f"{url}/squarespace", "SQUARESPACE_OAUTH_URL": f"{url}/squarespace",
        "SQUARESPACE_CLIENT_ID": SquarespaceApp.client_id,
        "SQUARESPACE_CLIENT_SECRET": SquarespaceApp.client_secret,
        "SHIPPO_API_URL": f"{url}/shippo",
        "META_GRAPH_URL": f"{url}/meta", "META_DIALOG_URL": f"{url}/meta",
        "META_APP_ID": MetaApp.app_id, "META_APP_SECRET": MetaApp.app_secret,
        "GOOGLE_OAUTH_URL": f"{url}/google", "GOOGLE_ACCOUNTS_URL": f"{url}/google",
        "GOOGLE_CLIENT_ID": google.client_id, "GOOGLE_CLIENT_SECRET": google.client_secret,
        "GOOGLE_ADS_ENDPOINT": grpc_endpoint, "GOOGLE_ADS_CA_FILE": ca_file,
        "GOOGLE_ADS_DEVELOPER_TOKEN": DEMO_DEVELOPER_TOKEN,
        "SEARCH_CONSOLE_URL": f"{url}/search_console/", "ANTHROPIC_BASE_URL": f"{url}/anthropic",
    }  # fmt: skip


@contextmanager
def serving(options: SandboxOptions) -> Iterator[RunningSandbox]:
    """Serve every imitated platform (HTTP and Google Ads gRPC) for the length of the block."""
    app = RecordingSandbox(build_sandbox(options))
    ads = app.platforms["google_ads"]
    assert isinstance(ads, GoogleAdsPlatform)
    with running_sandbox(app) as url, running_google_ads(ads) as grpc:
        yield RunningSandbox(app, url, sandbox_settings(url, grpc.endpoint, str(grpc.ca_file)))


@pytest.fixture(scope="module")
def running_platforms() -> Iterator[RunningSandbox]:
    """Every imitated platform, with a small brand, for the module's tests."""
    with serving(SandboxOptions(seed=31, orders=60)) as running:
        yield running


@pytest.fixture
def platforms(running_platforms: RunningSandbox, settings: Any) -> RunningSandbox:
    """The module's sandbox with the app's settings pointed at it and its record cleared."""
    for name, value in running_platforms.settings.items():
        setattr(settings, name, value)
    running_platforms.paths.clear()
    return running_platforms
