"""Public webhook endpoints of Squarespace, mounted at /webhooks/squarespace/."""

from django.urls import URLPattern

app_name = "squarespace_webhooks"

urlpatterns: list[URLPattern] = []
