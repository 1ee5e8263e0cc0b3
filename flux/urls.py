"""The project's URL map. Public paths are marked with login_not_required in their views."""

from django.contrib import admin
from django.urls import include, path

from flux import views
from flux.admin_site import restrict_admin_to_admins

restrict_admin_to_admins(admin.site)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("flux.privacy.urls")),
    path("audit/", include("flux.audit.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("connections/", include("integrations.urls")),
    path("oauth/", include("integrations.oauth_urls")),
    path("webhooks/squarespace/", include("integrations.squarespace.urls")),
    path("webhooks/shippo/", include("integrations.shippo.urls")),
    path("catalog/", include("catalog.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("proposals/", include("proposals.urls")),
    path("reconciliation/", include("reconciliation.urls")),
    path("social/", include("social.urls")),
    path("sandbox/", include("sandbox.urls")),
]
