"""The privacy pages: public policy and deletion paths, and the staff request views."""

from django.urls import path

from flux.privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy", views.policy, name="policy"),
    path("data-deletion", views.deletion, name="deletion"),
    path("data-deletion/status/<str:code>", views.deletion_status, name="deletion_status"),
    path("data-deletion/callback", views.meta_callback, name="meta_callback"),
    path("data-deletion/requests/", views.requests_list, name="requests"),
    path("data-deletion/requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("data-deletion/requests/<int:pk>/process", views.request_process, name="request_process"),
    path("data-deletion/requests/<int:pk>/reject", views.request_reject, name="request_reject"),
]
