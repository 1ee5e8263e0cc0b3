"""Public webhook endpoints of Shippo, mounted at /webhooks/shippo/."""

from django.urls import path

from integrations.shippo import views

app_name = "shippo_webhooks"

urlpatterns = [
    path("<str:token>", views.track_updated, name="track_updated"),
]
