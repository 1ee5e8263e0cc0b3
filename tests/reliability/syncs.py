"""A large Squarespace store on the sandbox, and how a sync against it must end after a fault.

The fault tests that need a real worker all break the same long sync (thousands of orders,
many pages) at a different layer, then check the same outcome: the brand's ground truth,
nothing duplicated, and a connections page that says what happened.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import Sum

from integrations.connections import connection_connect
from integrations.models import Connection, Order, OrderLine
from integrations.providers import registry
from sandbox.brand import Brand
from sandbox.platforms._brand import brand_for
from sandbox.platforms.squarespace import DEMO_API_KEY
from sandbox.server import SandboxOptions, build_sandbox
from sandbox.testing import running_sandbox
from tests.child_processes import child_database_url
from tests.reliability.pages import element_text, staff_page, table_rows

ORDERS = 6_000
OPTIONS = SandboxOptions(seed=4242, orders=ORDERS)
RUN_STATUS_COLUMN = 4  # Started, Finished, Stream, Trigger, Status, ... on the detail page


@dataclass
class BigStore:
    url: str
    brand: Brand
    redis_url: str

    def connect(self) -> Connection:
        """Connect the store with its API key, as `manage.py connect` does."""
        grant = registry.get("squarespace").connect_with_key(api_key=DEMO_API_KEY, account="")
        return connection_connect(provider="squarespace", grant=grant, actor="test")

    def worker_env(self, **overrides: str) -> dict[str, str]:
        """Return what a worker process needs to sync this store into the test database."""
        return {
            "DATABASE_URL": child_database_url(),
            "REDIS_URL": self.redis_url,
            "SQUARESPACE_API_URL": f"{self.url}/squarespace",
            **overrides,
        }


@pytest.fixture
def big_store(settings: Any) -> Iterator[BigStore]:
    """Serve a 6,000-order store (120 pages) and point the app at it."""
    with running_sandbox(build_sandbox(OPTIONS)) as url:
        settings.SQUARESPACE_API_URL = f"{url}/squarespace"
        yield BigStore(url, brand_for(OPTIONS), settings.REDIS_URL)


def assert_equals_a_clean_run(connection: Connection, brand: Brand) -> None:
    """Check the stored orders are exactly the brand's: none lost, none twice, lines whole."""
    truth = brand.truth
    assert Order.objects.filter(connection=connection).count() == truth.orders
    assert Order.objects.values("provider_order_id").distinct().count() == truth.orders
    assert OrderLine.objects.count() == truth.line_count
    total = Order.objects.aggregate(total=Sum("grand_total"))["total"]
    assert total == sum(truth.grand_total_minor.values())


def assert_connections_page_shows(
    user: User,
    connection: Connection,
    run_statuses: list[str],
    *,
    status: str = "Active",
    error: str = "",
) -> None:
    """Check what staff see: the connection's status, its runs (newest first), the error."""
    listing = staff_page(user, "/connections/")
    assert status in element_text(listing, "id", f"connection-{connection.pk}")
    runs = table_rows(staff_page(user, f"/connections/{connection.pk}/"))
    assert [run[RUN_STATUS_COLUMN] for run in runs] == run_statuses
    if error:
        assert any(error in run[-1] for run in runs), f"no run shows {error!r}"
