"""Image checks read the first bytes over HTTP and enforce Instagram's format and ratios."""

import pytest

from social.images import ImageUnreadable, image_info, image_probe
from social.validation import post_problems
from tests.social.conftest import jpeg_header, png_header

pytestmark = pytest.mark.django_db


def test_jpeg_and_png_sizes_are_read_from_their_headers():
    jpeg, png = image_info("a", jpeg_header(1080, 1350)), image_info("b", png_header(640, 480))
    assert (jpeg.format, jpeg.width, jpeg.height) == ("jpeg", 1080, 1350)
    assert (png.format, png.width, png.height) == ("png", 640, 480)


def test_an_image_is_probed_over_http(images):
    info = image_probe(images("story.jpg"))
    assert (info.format, info.width, info.height) == ("jpeg", 1080, 1920)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("notes.txt", "This is not a JPEG or PNG image"),
        ("missing.jpg", "The image could not be fetched (404)"),
    ],
)
def test_an_unreadable_image_says_why(images, name, message):
    with pytest.raises(ImageUnreadable, match=message.replace("(", r"\(").replace(")", r"\)")):
        image_probe(images(name))


def test_private_addresses_are_refused_in_production(settings, images):
    settings.FLUX_SOCIAL_PRIVATE_IMAGES = False
    with pytest.raises(ImageUnreadable, match="public address"):
        image_probe(images("square.jpg"))


def test_a_host_name_that_resolves_inside_is_refused_in_production(settings, images):
    settings.FLUX_SOCIAL_PRIVATE_IMAGES = False
    inside = images("square.jpg").replace("127.0.0.1", "localhost")
    with pytest.raises(ImageUnreadable, match="public address"):
        image_probe(inside)


def test_instagram_takes_jpeg_within_its_ratios_only(compose, images):
    png = post_problems(compose(image_urls=[images("photo.png")]))
    tall = post_problems(compose(image_urls=[images("story.jpg")]))
    fine = post_problems(compose(image_urls=[images("portrait.jpg")]))

    assert png["image_urls"] == ["Instagram publishes JPEG images; this is png."]
    assert "4:5 to 1.91:1" in tall["image_urls"][0]
    assert fine == {}
