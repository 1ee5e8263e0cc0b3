"""Forms of the connections page."""

from django import forms


class KeyConnectForm(forms.Form):
    """Connect a provider with an API key or long-lived token."""

    api_key = forms.CharField(
        label="API key or token",
        max_length=4096,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    account = forms.CharField(
        label="Account id",
        max_length=100,
        required=False,
        strip=True,
        help_text="Only where one key reaches several accounts (ad account, customer, property).",
    )
