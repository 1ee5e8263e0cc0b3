"""Staff read the catalog; operators create, edit and archive products with clear field errors."""

import pytest
from django.core.exceptions import ValidationError

from catalog.models import Product, ProductCampaign, ProductStatus
from flux.audit.models import AuditEvent
from tests.catalog.factories import campaign_make, product_make, variant_make

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Stirling Engine Model", "slug": "stirling-engine-model", "price_major": "74.99",
    "unit_cost_major": "30.50", "currency": "USD", "description": "Runs on a cup of tea.",
    "target_audience": "Physics teachers", "keywords_text": "Stirling Engine\nheat engine model",
    "skus_text": "FX-DES-004-STD", "pages_text": "https://www.example.com/shop/p/stirling",
}  # fmt: skip


def test_an_operator_creates_a_product_in_minor_units_and_it_is_audited(client, operator):
    campaign = campaign_make("Stirling | Sales")
    client.force_login(operator)
    response = client.post("/catalog/new/", {**VALID, "campaigns": [campaign.pk]})
    assert response.status_code == 302
    product = Product.objects.get()
    assert (product.price, product.unit_cost) == (7499, 3050)
    assert product.keywords == ["stirling engine", "heat engine model"]
    assert list(product.variants.values_list("sku", flat=True)) == ["FX-DES-004-STD"]
    assert ProductCampaign.objects.get().campaign == campaign
    event = AuditEvent.objects.get(action="catalog.product_create")
    assert (event.after or {})["skus"] == ["FX-DES-004-STD"]


def test_invalid_input_is_explained_field_by_field(client, operator):
    other = product_make("Globe")
    variant_make(other, "FX-TAKEN")
    client.force_login(operator)
    bad = {**VALID, "price_major": "abc", "skus_text": "FX-TAKEN", "pages_text": "not a url"}
    page = client.post("/catalog/new/", bad).content.decode()
    assert "Enter a number." in page
    assert "Already covered by another product: FX-TAKEN (in Globe)" in page
    assert "Not a full http(s) URL: not a url" in page
    assert "is-invalid" in page
    assert Product.objects.count() == 1


def test_a_cost_above_the_price_is_refused(client, operator):
    client.force_login(operator)
    page = client.post("/catalog/new/", {**VALID, "unit_cost_major": "99"}).content.decode()
    assert "The unit cost is higher than the price." in page


def test_names_are_unique(client, operator):
    product_make("Stirling Engine Model", slug="other")
    client.force_login(operator)
    page = client.post("/catalog/new/", VALID).content.decode()
    assert "Product with this Name already exists." in page


def test_editing_records_before_and_after(client, operator):
    product = product_make("Stirling Engine Model", slug="stirling-engine-model", price=100)
    client.force_login(operator)
    client.post(f"/catalog/{product.slug}/edit/", VALID)
    event = AuditEvent.objects.get(action="catalog.product_update")
    assert ((event.before or {})["price"], (event.after or {})["price"]) == (100, 7499)
    assert (event.after or {})["skus"] == ["FX-DES-004-STD"]


def test_the_edit_form_shows_the_current_values(client, operator):
    product = product_make("Globe", price=6999, keywords=["maglev desk"])
    variant_make(product, "FX-GLOBE")
    client.force_login(operator)
    page = client.get(f"/catalog/{product.slug}/edit/").content.decode()
    assert 'value="69.99"' in page
    assert "FX-GLOBE" in page
    assert "maglev desk" in page


def test_archiving_keeps_the_product_and_its_skus(client, operator):
    product = product_make()
    variant_make(product, "FX-1")
    client.force_login(operator)
    client.post(f"/catalog/{product.slug}/archive/")
    product.refresh_from_db()
    assert product.status == ProductStatus.ARCHIVED
    assert product.archived_at is not None
    assert product.variants.count() == 1
    assert AuditEvent.objects.filter(action="catalog.product_archive").exists()
    client.post(f"/catalog/{product.slug}/restore/")
    restored = Product.objects.get(pk=product.pk)
    assert (restored.status, restored.archived_at) == (ProductStatus.ACTIVE, None)


def test_archiving_needs_a_post(client, operator):
    product = product_make()
    client.force_login(operator)
    assert client.get(f"/catalog/{product.slug}/archive/").status_code == 405


def test_the_list_searches_names_skus_and_keywords_and_hides_archived(client, viewer):
    clock = product_make("Gear Clock", keywords=["mechanical wall clock"])
    variant_make(clock, "FX-CLK-1")
    product_make("Globe", status=ProductStatus.ARCHIVED)
    client.force_login(viewer)
    assert "Gear Clock" in client.get("/catalog/?q=clk-1").content.decode()
    assert "Gear Clock" in client.get("/catalog/?q=wall").content.decode()
    assert "No product matches" in client.get("/catalog/?q=nothing").content.decode()
    listed = client.get("/catalog/").content.decode()
    assert "Gear Clock" in listed
    assert "Globe" not in listed
    assert "Globe" in client.get("/catalog/?status=archived").content.decode()


def test_a_viewer_reads_but_sees_no_edit_buttons_and_cannot_write(client, viewer):
    product = product_make()
    client.force_login(viewer)
    page = client.get(f"/catalog/{product.slug}/").content.decode()
    assert product.name in page
    assert "Edit" not in page
    assert "New product" not in client.get("/catalog/").content.decode()
    assert client.post("/catalog/new/", VALID).status_code == 403
    assert client.get(f"/catalog/{product.slug}/edit/").status_code == 403
    assert client.post(f"/catalog/{product.slug}/archive/").status_code == 403
    assert Product.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/catalog/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


IMAGE = "https://images.squarespace-cdn.com/content/v1/flux-engineering/stirling-engine-model.jpg"


def test_the_product_image_url_is_stored_and_shown_as_a_link_not_an_image(client, operator):
    client.force_login(operator)
    client.post("/catalog/new/", {**VALID, "image_url": IMAGE})
    product = Product.objects.get()
    assert product.image_url == IMAGE

    page = client.get(f"/catalog/{product.slug}/").content.decode()

    assert f'<a href="{IMAGE}" rel="noopener noreferrer" id="product-image-url">' in page
    assert "<img" not in page


@pytest.mark.parametrize(
    "typed",
    ["javascript:alert(1)", "ftp://images.example.com/globe.jpg", "data:image/jpeg;base64,AAAA"],
)
def test_an_image_url_that_is_not_a_web_address_is_refused(client, operator, typed):
    client.force_login(operator)
    page = client.post("/catalog/new/", {**VALID, "image_url": typed}).content.decode()
    assert 'id="id_image_url-error">Enter a valid URL.' in page
    assert not Product.objects.exists()


def test_the_model_refuses_non_web_image_urls(db):
    product = product_make()
    for bad in ("javascript:alert(1)", "ftp://images.example.com/a.jpg"):
        product.image_url = bad
        with pytest.raises(ValidationError) as refused:
            product.full_clean()
        assert "image_url" in refused.value.message_dict
    product.image_url = "http://images.example.com/a.jpg"
    product.full_clean()


def test_editing_the_image_url_records_the_old_and_new_address(client, operator):
    product = product_make("Stirling Engine Model", slug="stirling-engine-model",
                           image_url="https://images.example.com/old.jpg")  # fmt: skip
    client.force_login(operator)
    page = client.get(f"/catalog/{product.slug}/edit/").content.decode()
    assert 'value="https://images.example.com/old.jpg"' in page

    client.post(f"/catalog/{product.slug}/edit/", {**VALID, "image_url": IMAGE})

    product.refresh_from_db()
    assert product.image_url == IMAGE
    event = AuditEvent.objects.get(action="catalog.product_update")
    assert (event.before or {})["image_url"] == "https://images.example.com/old.jpg"
    assert (event.after or {})["image_url"] == IMAGE
