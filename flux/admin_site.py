"""Limit the Django admin to users holding the admin role."""

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from flux.accounts.roles import Role, has_role


def restrict_admin_to_admins(site: AdminSite) -> None:
    """Replace the site's permission check with the admin-role check."""

    def has_permission(request: HttpRequest) -> bool:
        return request.user.is_active and has_role(request.user, Role.ADMIN)

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.site_header = "Flux Marketing administration"
