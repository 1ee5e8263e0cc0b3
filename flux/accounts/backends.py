"""Grant model permissions by role, so admins can use the Django admin without per-model grants."""

from typing import Any

from django.contrib.auth.backends import BaseBackend

from flux.accounts.roles import Role, has_role


class RolePermissionBackend(BaseBackend):
    """Give every model permission to holders of the admin role; nothing to anyone else."""

    def has_perm(self, user_obj: Any, perm: str, obj: object = None) -> bool:
        return bool(user_obj.is_active) and has_role(user_obj, Role.ADMIN)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return bool(user_obj.is_active) and has_role(user_obj, Role.ADMIN)
