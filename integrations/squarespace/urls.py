"""Public webhook endpoints of Squarespace, mounted at /webhooks/squarespace/."""

from django.urls import path

from integrations.squarespace import views

app_name = "squarespace_webhooks"

urlpatterns = [
    path("", views.notify, name="notify"),
]
