"""A running sandbox (HTTP for OAuth, gRPC for Google Ads) with the settings pointed at it."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import override_settings

from sandbox.platforms.google_ads import DEMO_DEVELOPER_TOKEN, GoogleAdsPlatform
from sandbox.platforms.google_ads_server import running_google_ads
from sandbox.platforms.google_oauth import GoogleApp, GoogleOAuth
from sandbox.server import SandboxOptions, build_sandbox
from sandbox.testing import running_sandbox


@dataclass
class Ads:
    url: str
    platform: GoogleAdsPlatform
    google: GoogleOAuth


@pytest.fixture
def ads() -> Iterator[Ads]:
    sandbox = build_sandbox(SandboxOptions(seed=11, orders=50))
    platform = sandbox.platforms["google_ads"]
    google = sandbox.platforms["google"]
    assert isinstance(platform, GoogleAdsPlatform)
    assert isinstance(google, GoogleOAuth)
    platform.stream_batch_rows = 200
    with running_sandbox(sandbox) as url, running_google_ads(platform) as grpc_server:
        app = GoogleApp()
        with override_settings(
            GOOGLE_OAUTH_URL=f"{url}/google",
            GOOGLE_ACCOUNTS_URL=f"{url}/google",
            GOOGLE_CLIENT_ID=app.client_id,
            GOOGLE_CLIENT_SECRET=app.client_secret,
            GOOGLE_ADS_ENDPOINT=grpc_server.endpoint,
            GOOGLE_ADS_CA_FILE=str(grpc_server.ca_file),
            GOOGLE_ADS_DEVELOPER_TOKEN=DEMO_DEVELOPER_TOKEN,
        ):
            yield Ads(url, platform, google)
