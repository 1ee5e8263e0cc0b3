"""Read Shippo through the shared HTTP wrapper, parsed into typed records at the boundary.

A thin typed client rather than the official `shippo` SDK, on purpose: the SDK's strict enums
and dataclass models fail on data the live API really sends (a transaction's tracking_status
as an object, a Transaction without `created_by`, history without `status_date`), and one bad
field would cost the whole page. Here the wrapper brings timeouts, bounded retries and typed
errors, and parse.py decides field by field what to accept.

Shippo authenticates with one API token (`Authorization: ShippoToken <token>`); it cannot be
refreshed, so a 401 is an AuthError and the connection needs reconnecting.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings

from integrations.http import HttpClient, PermanentError, RetryPolicy
from integrations.shippo.parse import (
    JSON,
    PROVIDER,
    LabelRecord,
    ShipmentRecord,
    ShippoOrderRecord,
    label_parse,
    list_page_parse,
    records_parse,
    shipment_parse,
    shippo_order_parse,
)

API_VERSION = "2018-02-08"
PAGE_SIZE = 100  # Shippo's largest page
TOKEN_MODES = {"shippo_test_": "test", "shippo_live_": "live"}
# Tests swap this for a short read timeout; the defaults suit the real API.
RETRY_POLICY = RetryPolicy()

T = TypeVar("T")


class InvalidToken(PermanentError):
    """The text given is not shaped like a Shippo API token."""

    def __init__(self) -> None:
        super().__init__("not a Shippo API token", provider=PROVIDER)


def token_mode(token: str) -> str:
    """Return "test" or "live" from a token's prefix, or raise InvalidToken."""
    for prefix, mode in TOKEN_MODES.items():
        if token.startswith(prefix) and len(token) > len(prefix):
            return mode
    raise InvalidToken()


@dataclass
class ShippoClient:
    """Calls the Shippo API with one account's token."""

    token: str
    base_url: str = field(default_factory=lambda: str(settings.SHIPPO_API_URL))
    http: HttpClient = field(init=False)

    def __post_init__(self) -> None:
        token_mode(self.token)
        self.http = HttpClient(
            provider=PROVIDER,
            base_url=self.base_url,
            auth_headers=self._headers,
            policy=RETRY_POLICY,
        )

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"ShippoToken {self.token}", "SHIPPO-API-VERSION": API_VERSION}

    def check(self) -> None:
        """Make one cheap authenticated call; raises AuthError if the token is refused."""
        self.http.get_json("/transactions/", params={"results": 1})

    def shipments(self, *, since: datetime | None) -> Iterator[list[ShipmentRecord]]:
        """Yield pages of shipments created since `since`, newest first."""
        params = _since("object_created_gte", since)
        yield from self._pages("/shipments/", params, shipment_parse, "shipment")

    def labels(self, *, since: datetime | None) -> Iterator[list[LabelRecord]]:
        """Yield pages of transactions (labels) created since `since`, newest first."""
        params = _since("object_created_gte", since)
        yield from self._pages("/transactions/", params, label_parse, "transaction")

    def orders(self, *, since: datetime | None) -> Iterator[list[ShippoOrderRecord]]:
        """Yield pages of Shippo orders created since `since`, newest first."""
        params = _since("start_date", since)
        yield from self._pages("/orders/", params, shippo_order_parse, "order")

    def track_register(self, *, carrier: str, tracking_number: str, metadata: str) -> None:
        """Register a tracking number for track_updated webhooks (repeating it is harmless)."""
        body = {"carrier": carrier, "tracking_number": tracking_number, "metadata": metadata}
        self.http.post_json("/tracks/", body=body, idempotent=True)

    def _pages(
        self, path: str, params: dict[str, Any], parse: Callable[[JSON], T], kind: str
    ) -> Iterator[list[T]]:
        """Follow `next` links from the first page, parsing each page whole before yielding."""
        url: str | None = path
        query: dict[str, Any] | None = {**params, "results": PAGE_SIZE}
        while url is not None:
            page = list_page_parse(self.http.get_json(url, params=query), origin=self.base_url)
            yield records_parse(page.results, parse, kind)
            url, query = page.next_url, None  # the next link carries the whole query


def _since(name: str, since: datetime | None) -> dict[str, Any]:
    return {} if since is None else {name: since.isoformat()}
