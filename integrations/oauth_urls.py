"""OAuth callbacks, public at /oauth/<provider>/callback (the state binds them to a session)."""

from django.urls import path

from integrations import oauth_views

app_name = "oauth"

urlpatterns = [
    path("<slug:provider>/callback", oauth_views.callback, name="callback"),
]
