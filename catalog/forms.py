"""The product form: staff type money in major units and lists one per line; we store typed rows."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from catalog.models import Product, ProductStatus, ProductVariant
from integrations.models import Campaign

MINOR_PER_MAJOR = 100
CURRENCIES = (("USD", "USD"), ("EUR", "EUR"), ("GBP", "GBP"), ("CAD", "CAD"))


def _lines(text: str) -> list[str]:
    """Split a textarea into its non-blank, stripped, de-duplicated lines."""
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


class ProductForm(forms.ModelForm[Product]):
    """Create or edit a product with its SKUs, campaigns and pages."""

    price_major = forms.DecimalField(
        label="Price", min_value=Decimal(0), max_digits=12, decimal_places=2,
        help_text="What a customer pays, e.g. 34.99.",
    )  # fmt: skip
    unit_cost_major = forms.DecimalField(
        label="Unit cost (COGS)", min_value=Decimal(0), max_digits=12, decimal_places=2,
        help_text="What one unit costs us to make or buy; used for contribution margin.",
    )  # fmt: skip
    currency = forms.ChoiceField(choices=CURRENCIES)
    keywords_text = forms.CharField(
        label="Target keywords", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One search phrase per line.",
    )  # fmt: skip
    skus_text = forms.CharField(
        label="SKUs", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The store's SKUs this product covers, one per line.",
    )  # fmt: skip
    pages_text = forms.CharField(
        label="Pages that sell it", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Full URLs, one per line.",
    )  # fmt: skip
    image_url = forms.URLField(
        label="Product image URL", required=False, max_length=500, assume_scheme="https",
        help_text="The store's public image of the product; posts can use it. Nothing is uploaded.",
    )  # fmt: skip
    campaigns = forms.ModelMultipleChoiceField(
        queryset=Campaign.objects.order_by("platform", "name"), required=False,
        help_text="The ad campaigns that advertise this product.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip

    class Meta:
        model = Product
        fields = ["name", "slug", "description", "target_audience", "image_url"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "target_audience": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"slug": "Lower-case letters, digits and hyphens; used in links."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self._initial_from(self.instance)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def full_clean(self) -> None:
        """Validate, then mark the fields in error so Bootstrap shows their messages."""
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"

    def _initial_from(self, product: Product) -> None:
        self.initial.update(
            price_major=Decimal(product.price) / MINOR_PER_MAJOR,
            unit_cost_major=Decimal(product.unit_cost) / MINOR_PER_MAJOR,
            currency=product.currency,
            keywords_text="\n".join(product.keywords),
            skus_text="\n".join(v.sku for v in product.variants.all()),
            pages_text="\n".join(p.url for p in product.pages.all()),
            campaigns=[link.campaign_id for link in product.campaign_links.all()],
        )

    def clean_keywords_text(self) -> list[str]:
        """Return the keywords, lower-cased."""
        keywords = _lines(self.cleaned_data["keywords_text"].lower())
        if any(len(k) > 100 for k in keywords):
            raise ValidationError("Keep each keyword under 100 characters.")
        return keywords

    def clean_skus_text(self) -> list[str]:
        """Return the SKUs, refusing any that another product already covers."""
        skus = _lines(self.cleaned_data["skus_text"])
        if too_long := [s for s in skus if len(s) > 64]:
            raise ValidationError(f"A SKU has at most 64 characters: {too_long[0]}")
        taken = ProductVariant.objects.filter(sku__in=skus).exclude(product_id=self.instance.pk)
        owners = [f"{v.sku} (in {v.product.name})" for v in taken.select_related("product")]
        if owners:
            raise ValidationError(f"Already covered by another product: {', '.join(owners)}")
        return skus

    def clean_pages_text(self) -> list[str]:
        """Return the page URLs, each checked."""
        urls = _lines(self.cleaned_data["pages_text"])
        check = URLValidator(schemes=["http", "https"])
        for url in urls:
            try:
                check(url)
            except ValidationError as error:
                raise ValidationError(f"Not a full http(s) URL: {url}") from error
        return urls

    def clean(self) -> dict[str, Any]:
        """Refuse a unit cost above the price, which is always a typo here."""
        data = super().clean() or {}
        price, cost = data.get("price_major"), data.get("unit_cost_major")
        if price is not None and cost is not None and cost > price:
            self.add_error("unit_cost_major", "The unit cost is higher than the price.")
        return data

    def product_fields(self) -> dict[str, Any]:
        """Return the product's own fields, money in minor units."""
        data = self.cleaned_data
        return {
            "name": data["name"], "slug": data["slug"], "description": data["description"],
            "target_audience": data["target_audience"], "currency": data["currency"],
            "keywords": data["keywords_text"], "image_url": data["image_url"],
            "price": int(data["price_major"] * MINOR_PER_MAJOR),
            "unit_cost": int(data["unit_cost_major"] * MINOR_PER_MAJOR),
        }  # fmt: skip


class ProductFilter(forms.Form):
    """The list's search box and status filter."""

    q = forms.CharField(required=False, label="Search", max_length=100)
    status = forms.ChoiceField(
        required=False, choices=(*ProductStatus.choices, ("all", "All")), initial="active"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"class": "form-control", "placeholder": "Name, SKU or keyword"}
        )
        self.fields["status"].widget.attrs["class"] = "form-select"
