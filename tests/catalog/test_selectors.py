"""Other pages read costs and campaign links from the catalog through its selectors."""

import pytest

from catalog.models import ProductCampaign
from catalog.selectors import campaigns_for_product, cogs_by_sku, products_for_campaigns
from tests.catalog.factories import campaign_make, product_make, variant_make

pytestmark = pytest.mark.django_db


def test_a_sku_costs_its_own_unit_cost_or_else_its_products():
    clock = product_make(unit_cost=3000, currency="USD")
    variant_make(clock, "FX-1-WAL")
    variant_make(clock, "FX-1-MAP", unit_cost=3500)
    assert cogs_by_sku() == {"FX-1-WAL": (3000, "USD"), "FX-1-MAP": (3500, "USD")}


def test_archived_products_still_cost_their_skus():
    old = product_make()
    variant_make(old, "FX-OLD")
    old.archive()
    old.save()
    assert cogs_by_sku()["FX-OLD"] == (3000, "USD")


def test_campaigns_and_products_find_each_other_through_links():
    clock, globe = product_make("Gear Clock"), product_make("Globe")
    search, social = campaign_make("Search | Gear Clock"), campaign_make("Globe | Sales")
    ProductCampaign.objects.create(product=clock, campaign=search)
    ProductCampaign.objects.create(product=globe, campaign=social)
    ProductCampaign.objects.create(product=globe, campaign=search)
    found = products_for_campaigns([search.pk])
    assert sorted(p.name for p in found[search.pk]) == ["Gear Clock", "Globe"]
    assert campaigns_for_product(globe) == [social, search]
