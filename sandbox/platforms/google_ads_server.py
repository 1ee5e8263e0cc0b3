"""Serve a GoogleAdsPlatform over gRPC with TLS on a loopback port.

No servicer classes ship with the client library, so the services are generic handlers whose
(de)serializers are the library's own request and response classes.
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.ads.googleads.v26.services.types import (
    campaign_budget_service,
    campaign_service,
    customer_service,
    google_ads_service,
)

from sandbox.platforms.google_ads import GoogleAdsPlatform
from sandbox.platforms.google_ads_tls import tls_material

LOOPBACK = "127.0.0.1"
PACKAGE = "google.ads.googleads.v26.services"


@dataclass
class RunningGoogleAds:
    """A started gRPC server: its endpoint ("127.0.0.1:PORT") and the CA file to trust."""

    server: grpc.Server
    endpoint: str
    ca_file: Path
    platform: GoogleAdsPlatform

    def stop(self) -> None:
        """Stop serving; wake any call a slow fault keeps asleep."""
        self.platform.stopping.set()
        self.server.stop(grace=0).wait(5)


def _raw(message: Any) -> bytes:
    data: bytes = message.SerializeToString()
    return data


def _handlers(platform: GoogleAdsPlatform) -> list[grpc.GenericRpcHandler]:
    ads, budgets, campaigns, customers = (
        google_ads_service,
        campaign_budget_service,
        campaign_service,
        customer_service,
    )
    unary, stream = grpc.unary_unary_rpc_method_handler, grpc.unary_stream_rpc_method_handler
    return [
        grpc.method_handlers_generic_handler(f"{PACKAGE}.GoogleAdsService", {
            "Search": unary(platform.search, ads.SearchGoogleAdsRequest.deserialize, _raw),
            "SearchStream": stream(
                platform.search_stream, ads.SearchGoogleAdsStreamRequest.deserialize, _raw
            ),
        }),
        grpc.method_handlers_generic_handler(f"{PACKAGE}.CampaignService", {
            "MutateCampaigns": unary(
                platform.mutate_campaigns, campaigns.MutateCampaignsRequest.deserialize, _raw
            ),
        }),
        grpc.method_handlers_generic_handler(f"{PACKAGE}.CampaignBudgetService", {
            "MutateCampaignBudgets": unary(
                platform.mutate_campaign_budgets,
                budgets.MutateCampaignBudgetsRequest.deserialize,
                _raw,
            ),
        }),
        grpc.method_handlers_generic_handler(f"{PACKAGE}.CustomerService", {
            "ListAccessibleCustomers": unary(
                platform.list_accessible_customers,
                customers.ListAccessibleCustomersRequest.deserialize,
                _raw,
            ),
        }),
    ]  # fmt: skip


def google_ads_server(
    platform: GoogleAdsPlatform, *, port: int = 0, tls_dir: Path | None = None
) -> RunningGoogleAds:
    """Start serving `platform` on loopback (port 0 picks a free one) with TLS."""
    tls = tls_material(tls_dir)
    server = grpc.server(ThreadPoolExecutor(max_workers=16, thread_name_prefix="google-ads"))
    server.add_generic_rpc_handlers(_handlers(platform))
    credentials = grpc.ssl_server_credentials([(tls.key_pem, tls.cert_pem)])
    bound = server.add_secure_port(f"{LOOPBACK}:{port}", credentials)
    platform.stopping.clear()
    server.start()
    return RunningGoogleAds(server, f"{LOOPBACK}:{bound}", tls.cert_path, platform)


@contextmanager
def running_google_ads(platform: GoogleAdsPlatform) -> Iterator[RunningGoogleAds]:
    """Serve `platform` for the length of the block."""
    running = google_ads_server(platform)
    try:
        yield running
    finally:
        running.stop()
