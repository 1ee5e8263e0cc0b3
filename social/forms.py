"""The composer's form: times in the brand's time zone, image URLs one per line.

The selected products' catalog images are listed under the image field to pick from.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings

from catalog.models import Product
from social.composing import PostFields
from social.models import Channels, Post

TEXT = {"class": "form-control"}
AUTOSAVE = {"hx-trigger": "keyup changed delay:1s, change"}


def brand_zone() -> ZoneInfo:
    """Return the brand's time zone (posts are planned in it)."""
    return ZoneInfo(settings.FLUX_BRAND_TIME_ZONE)


@dataclass(frozen=True)
class ProductImage:
    """A product the composer offers, with its catalog image and whether it is selected."""

    pk: int
    name: str
    url: str
    selected: bool


class ProductImages(list[ProductImage]):
    """The images offered under the image field."""

    @property
    def any_selected(self) -> bool:
        """Say whether a selected product has an image to offer."""
        return any(image.selected for image in self)


class PostForm(forms.Form):
    """Every editable field of a post, laid out for the composer."""

    title = forms.CharField(max_length=120, required=False, widget=forms.TextInput(TEXT))
    channels = forms.ChoiceField(
        choices=Channels.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial=Channels.BOTH,
    )
    caption_facebook = forms.CharField(
        label="Facebook message", required=False, widget=forms.Textarea({**TEXT, "rows": 5})
    )
    link = forms.CharField(
        label="Facebook link", required=False, max_length=500, widget=forms.URLInput(TEXT)
    )
    caption_instagram = forms.CharField(
        label="Instagram caption", required=False, widget=forms.Textarea({**TEXT, "rows": 5})
    )
    first_comment = forms.CharField(
        label="Instagram first comment", required=False, widget=forms.Textarea({**TEXT, "rows": 2})
    )
    image_urls = forms.CharField(
        label="Image URL",
        required=False,
        help_text="A public JPEG URL: a selected product's image (listed below) or any public "
        "address. Left empty, the first selected product's image is used.",
        widget=forms.Textarea({**TEXT, "rows": 2}),
    )
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.active(),
        required=False,
        widget=forms.SelectMultiple({"class": "form-select", "size": 5}),
    )
    scheduled_at = forms.DateTimeField(
        label="Publish at",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput({**TEXT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, autosave_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheduled_at"].help_text = f"In the brand's time zone ({brand_zone().key})."
        if autosave_url:
            for field in self.fields.values():
                field.widget.attrs.update({**AUTOSAVE, "hx-post": autosave_url})

    def product_images(self) -> ProductImages:
        """Return the offered products that have an image, the selected ones marked."""
        chosen = {str(value) for value in self["products"].value() or []}
        products = Product.objects.active().exclude(image_url="")  # the products field's choices
        return ProductImages(
            ProductImage(p.pk, p.name, p.image_url, str(p.pk) in chosen) for p in products
        )

    def clean_image_urls(self) -> list[str]:
        """Split the URLs, one per line."""
        text = str(self.cleaned_data.get("image_urls") or "")
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean_scheduled_at(self) -> datetime | None:
        """Read the time in the brand's zone, whatever the server's zone is."""
        value = self.cleaned_data.get("scheduled_at")
        if not isinstance(value, datetime):
            return None
        return value.replace(tzinfo=brand_zone())

    def post_fields(self) -> PostFields:
        """Return the cleaned fields for composing."""
        data = dict(self.cleaned_data)
        products = list(data.pop("products", None) or [])
        return PostFields(data, products)


def initial_for(post: Post) -> dict[str, Any]:
    """Return a post's fields as the form shows them."""
    when = (
        post.scheduled_at.astimezone(brand_zone()).replace(tzinfo=None)
        if post.scheduled_at
        else None
    )
    return {
        "title": post.title, "channels": post.channels, "caption_facebook": post.caption_facebook,
        "link": post.link, "caption_instagram": post.caption_instagram,
        "first_comment": post.first_comment, "image_urls": "\n".join(post.image_urls),
        "products": list(post.products.all()), "scheduled_at": when,
    }  # fmt: skip


class DecisionForm(forms.Form):
    """A note for an approval or a rejection."""

    note = forms.CharField(required=False, max_length=500, widget=forms.TextInput(TEXT))


class RescheduleForm(forms.Form):
    """A calendar drop: the day (and, in the week view, the hour) to move a post to."""

    day = forms.DateField()
    hour = forms.IntegerField(min_value=0, max_value=23, required=False)
