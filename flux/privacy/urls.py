from django.urls import path

from flux.privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy", views.policy, name="policy"),
    path("data-deletion", views.deletion, name="deletion"),
    path("data-deletion/requests/", views.requests_list, name="requests"),
]
