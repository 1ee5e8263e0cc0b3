"""The composer offers the selected products' catalog images, and a post naming products
but no image is saved with the first product's image."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from catalog.models import Product
from social.composing import PostFields, post_create
from social.models import Post

pytestmark = pytest.mark.django_db

CDN = "https://images.squarespace-cdn.com/content/v1/flux-engineering"


def product(name: str, *, image: bool = True) -> Product:
    slug = name.lower().replace(" ", "-")
    return Product.objects.create(
        name=name, slug=slug, price=2500, unit_cost=900,
        image_url=f"{CDN}/{slug}.jpg" if image else "",
    )  # fmt: skip


def fields(*products: Product, **values: Any) -> dict[str, Any]:
    data = {
        "title": "Bench day", "channels": "instagram", "caption_instagram": "On the bench.",
        "image_urls": "", "products": [p.pk for p in products], "action": "save",
    }  # fmt: skip
    return {**data, **values}


def shown(page: str, item: Product) -> bool:
    """Say whether the page lists the product's image as selected (not hidden)."""
    return f'data-product-image="{item.pk}">' in page


def test_the_composer_lists_only_the_selected_products_images_to_use(
    client: Client, author: User
) -> None:
    caliper, vise = product("Caliper"), product("Bench Vise")
    plain = product("Gift Card", image=False)
    post = post_create(user=author, fields=PostFields({"title": "Bench day"}, [caliper, plain]))
    client.force_login(author)

    page = client.get(f"/social/{post.pk}/edit/").content.decode()

    assert shown(page, caliper)
    assert f'data-product-image="{vise.pk}" hidden>' in page  # offered once selected
    assert f'data-product-image="{plain.pk}"' not in page  # nothing to use
    assert f'data-use-image="{caliper.image_url}">Use this image' in page
    assert 'src="/static/social/compose.js"' in page


def test_a_new_post_offers_every_product_image_once_selected(client: Client, author: User) -> None:
    caliper = product("Caliper")
    client.force_login(author)

    page = client.get("/social/new/").content.decode()

    assert f'data-product-image="{caliper.pk}" hidden>' in page
    assert '<p class="small text-body-secondary mb-1" data-product-images-empty>' in page


def test_creating_with_products_and_no_image_takes_the_first_products_image(
    client: Client, author: User
) -> None:
    plain, torque, caliper = product("Anvil", image=False), product("Torque"), product("Caliper")
    client.force_login(author)

    client.post("/social/new/", fields(torque, plain, caliper))

    post = Post.objects.get()
    assert post.image_urls == [caliper.image_url]  # the first by name that has one
    assert set(post.products.all()) == {plain, torque, caliper}


def test_saving_an_edit_without_an_image_fills_and_shows_the_product_image(
    client: Client, author: User
) -> None:
    caliper = product("Caliper")
    post = post_create(user=author, fields=PostFields({"title": "Bench day"}))
    client.force_login(author)

    page = client.post(f"/social/{post.pk}/edit/", fields(caliper)).content.decode()

    post.refresh_from_db()
    assert post.image_urls == [caliper.image_url]
    assert f">\n{caliper.image_url}</textarea>" in page
    assert shown(page, caliper)


def test_a_typed_image_is_kept_whatever_the_products(
    client: Client, author: User, images: Callable[[str], str]
) -> None:
    caliper = product("Caliper")
    client.force_login(author)

    client.post("/social/new/", fields(caliper, image_urls=images("portrait.jpg")))

    assert Post.objects.get().image_urls == [images("portrait.jpg")]


def test_a_post_without_products_keeps_no_image(client: Client, author: User) -> None:
    product("Caliper")
    client.force_login(author)

    client.post("/social/new/", fields())

    assert Post.objects.get().image_urls == []
