"""In a real browser: an operator fixes a product's field error and saves; a viewer cannot edit."""

import pytest

from catalog.models import Product

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_operator_fixes_a_field_error_then_creates_the_product(
    browser_page, sign_in, live_server, operator, screenshot
):
    page = browser_page
    sign_in(page, operator)
    page.goto(f"{live_server.url}/catalog/")
    page.click("#new-product")
    page.fill("#id_name", "Stirling Engine Model")
    page.fill("#id_slug", "stirling-engine-model")
    page.fill("#id_price_major", "74.99")
    page.fill("#id_unit_cost_major", "99.00")  # above the price: refused
    page.fill("#id_keywords_text", "stirling engine\nheat engine model")
    page.click("#product-form button[type=submit]")
    error = page.locator("#id_unit_cost_major-error")
    assert error.inner_text() == "The unit cost is higher than the price."
    screenshot(page, "catalog-field-error")
    page.fill("#id_unit_cost_major", "30.00")
    page.click("#product-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/catalog/stirling-engine-model/")
    assert "Created Stirling Engine Model." in page.content()
    screenshot(page, "catalog-product")
    assert Product.objects.get().unit_cost == 3000


def test_a_viewer_sees_no_edit_buttons(browser_page, sign_in, live_server, viewer, screenshot):
    Product.objects.create(name="Gear Clock", slug="gear-clock", price=8999, unit_cost=3000)
    page = browser_page
    sign_in(page, viewer)
    page.goto(f"{live_server.url}/catalog/")
    assert page.locator("#new-product").count() == 0
    page.click("text=Gear Clock")
    assert page.locator("#product-actions").count() == 0
    screenshot(page, "catalog-viewer")
