"""Syncing the sandbox's brand: ground truth, idempotent re-runs, incremental edits, stock."""

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from integrations.models import Connection, InventoryChange, InventoryLevel, Order, OrderLine
from tests.integrations.squarespace.conftest import Site

pytestmark = pytest.mark.django_db


def sync(*extra: str) -> dict[str, dict[str, Any]]:
    """Run manage.py sync squarespace and return its runs by stream."""
    out = StringIO()
    call_command("sync", "squarespace", "--json", *extra, stdout=out)
    return {run["stream"]: run for run in json.loads(out.getvalue())["runs"]}


def assert_matches_truth(site: Site) -> None:
    truth = site.brand.truth
    assert Order.objects.count() == truth.orders
    assert OrderLine.objects.count() == truth.line_count
    sums = Order.objects.values("currency").annotate(total=Sum("grand_total"))
    assert {row["currency"]: row["total"] for row in sums} == {
        currency: total for currency, total in truth.grand_total_minor.items() if total
    }
    assert InventoryLevel.objects.count() == truth.inventory_rows


def test_connect_then_sync_stores_exactly_the_brands_ground_truth(
    site: Site, key_connection: Connection
):
    runs = sync()
    assert key_connection.display_name == "Flux Engineering"
    assert runs["orders"]["status"] == "succeeded"
    assert runs["orders"]["rows_inserted"] == site.brand.truth.orders
    assert_matches_truth(site)


def test_a_second_sync_changes_nothing(site: Site, key_connection: Connection):
    sync()
    again = sync()
    assert [(r["rows_inserted"], r["rows_updated"]) for r in again.values()] == [(0, 0), (0, 0)]
    assert_matches_truth(site)


def test_an_incremental_sync_updates_exactly_the_edited_orders(
    site: Site, key_connection: Connection
):
    sync()
    before = dict(Order.objects.values_list("provider_order_id", "modified_on"))
    edited = set(site.platform.edit_orders(100))
    runs = sync()
    assert (runs["orders"]["rows_inserted"], runs["orders"]["rows_updated"]) == (0, 100)
    after = dict(Order.objects.values_list("provider_order_id", "modified_on"))
    assert {oid for oid in after if after[oid] != before[oid]} == edited
    assert_matches_truth(site)


def test_a_full_sync_reads_everything_again_and_writes_nothing_new(
    site: Site, key_connection: Connection
):
    sync()
    runs = sync("--full")
    assert runs["orders"]["rows_read"] >= site.brand.truth.orders
    assert (runs["orders"]["rows_inserted"], runs["orders"]["rows_updated"]) == (0, 0)


def test_every_order_keeps_all_its_lines(site: Site, key_connection: Connection):
    sync()
    counts = Order.objects.annotate(n=Count("lines")).values_list("provider_order_id", "n")
    for order_id, n in counts:
        assert n == len(site.brand.order(order_id)["lineItems"])  # type: ignore[index]


def test_inventory_appends_a_change_only_when_stock_moves(site: Site, key_connection: Connection):
    sync()
    first = InventoryChange.objects.count()
    assert first == site.brand.truth.inventory_rows  # the first sighting of each variant
    sync()
    assert InventoryChange.objects.count() == first
    variants = list(InventoryLevel.objects.filter(is_unlimited=False).order_by("variant_id")[:2])
    site.platform.set_stock(variants[0].variant_id, variants[0].quantity + 5)
    site.platform.set_stock(variants[1].variant_id, 0, is_unlimited=True)
    runs = sync()
    assert runs["inventory"]["rows_updated"] == 2
    moved = InventoryChange.objects.exclude(quantity_before=None)
    assert sorted(moved.values_list("level__variant_id", "quantity_after", "is_unlimited")) == [
        (variants[0].variant_id, variants[0].quantity + 5, False),
        (variants[1].variant_id, 0, True),
    ]
    level = InventoryLevel.objects.get(pk=variants[0].pk)
    assert level.quantity == variants[0].quantity + 5
    assert level.changed_at is not None
