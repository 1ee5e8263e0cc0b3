"""Claude's post drafts become posts only when every product they name is in stock."""

import pytest

from catalog.models import Product, ProductVariant
from integrations.models import Connection, InventoryLevel
from proposals.creation import proposal_create
from proposals.selectors import pending_count
from social.drafts import DraftRefused, draft_to_post, drafts_open

pytestmark = pytest.mark.django_db


def product(name: str, quantity: int, image_url: str = "") -> Product:
    store, _ = Connection.objects.get_or_create(
        provider="squarespace", external_account_id="store", defaults={"display_name": "Store"}
    )
    item = Product.objects.create(name=name, slug=name.lower().replace(" ", "-"), price=2500,
                                  unit_cost=900, image_url=image_url)  # fmt: skip
    sku = f"SKU-{item.pk}"
    ProductVariant.objects.create(product=item, sku=sku)
    InventoryLevel.objects.create(connection=store, variant_id=sku, sku=sku, quantity=quantity)
    return item


def draft(products: list[Product], by, **value):
    return proposal_create(
        kind="social_post", source="manual", field="post", current_value=None,
        proposed_value={"caption": "On the bench today. #tools",
                        "product_ids": [p.pk for p in products],
                        "suggested_time": "2031-06-03T18:00:00", **value},
        rationale="Stocked and trending", evidence={}, assumptions={}, expected_impact="",
        confidence=0.6, platform="instagram", target_label="Instagram post", created_by=by,
    )  # fmt: skip


def test_a_draft_of_stocked_products_becomes_a_post_at_its_brand_local_time(operator, author):
    proposal = draft([product("Torque Driver", 4)], operator)
    assert pending_count() == 1

    post = draft_to_post(proposal=proposal, user=author)

    assert post.channels == "instagram"
    assert post.caption_instagram == "On the bench today. #tools"
    assert post.author == author
    assert post.draft_proposal == proposal
    post.refresh_from_db()
    assert post.scheduled_at is not None
    assert post.scheduled_at.isoformat() == "2031-06-03T22:00:00+00:00"  # 18:00 in New York
    assert list(drafts_open()) == []  # a draft is edited into one post only
    assert pending_count() == 0  # the post's own approval is what waits now
    assert draft_to_post(proposal=proposal, user=author) == post


CDN = "https://images.squarespace-cdn.com/content/v1/flux-engineering"


def test_a_draft_without_an_image_takes_its_first_products_catalog_image(operator, author):
    driver = product("Torque Driver", 4, image_url=f"{CDN}/torque-driver.jpg")
    plain = product("Bench Vise", 2)
    proposal = draft([driver, plain], operator)

    post = draft_to_post(proposal=proposal, user=author)

    assert post.image_urls == [f"{CDN}/torque-driver.jpg"]
    assert set(post.products.all()) == {driver, plain}


def test_a_draft_that_names_an_image_keeps_it(operator, author):
    driver = product("Torque Driver", 4, image_url=f"{CDN}/torque-driver.jpg")
    proposal = draft([driver], operator, image_urls=[f"{CDN}/workshop.jpg"])

    post = draft_to_post(proposal=proposal, user=author)

    assert post.image_urls == [f"{CDN}/workshop.jpg"]


def test_a_draft_naming_an_out_of_stock_product_is_refused(operator, author):
    proposal = draft([product("Torque Driver", 4), product("Bench Vise", 0)], operator)

    with pytest.raises(DraftRefused, match="Bench Vise is out of stock"):
        draft_to_post(proposal=proposal, user=author)


def test_the_draft_list_offers_edit_as_post_only_for_stocked_drafts(client, operator, author):
    draft([product("Torque Driver", 4)], operator)
    draft([product("Bench Vise", 0)], operator)
    client.force_login(author)

    page = client.get("/social/").content.decode()

    assert page.count("Edit as post") == 1
    assert "Bench Vise is out of stock." in page
