"""Public webhook endpoints of Shippo, mounted at /webhooks/shippo/."""

from django.urls import URLPattern

app_name = "shippo_webhooks"

urlpatterns: list[URLPattern] = []
