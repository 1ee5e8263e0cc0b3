from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:connection_id>/", views.detail, name="detail"),
    path("<int:connection_id>/sync", views.sync_now, name="sync_now"),
    path("<int:connection_id>/disconnect", views.disconnect, name="disconnect"),
    path("<slug:provider>/key", views.connect_key, name="connect_key"),
    path("<slug:provider>/connect", views.oauth_start, name="oauth_start"),
]
