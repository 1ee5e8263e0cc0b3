"""The three staff roles, kept as Django groups: viewer < operator < admin."""

from collections.abc import Callable
from enum import IntEnum
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


class Role(IntEnum):
    """A staff role; a higher value may do everything a lower one may."""

    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3

    @property
    def group_name(self) -> str:
        return self.name.lower()


def role_of(user: AbstractBaseUser | AnonymousUser) -> Role | None:
    """Return the highest role the user holds, or None for a non-staff user."""
    if not user.is_authenticated or not user.is_active:
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    names = set(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
    held = [role for role in Role if role.group_name in names]
    return max(held) if held else None


def has_role(user: AbstractBaseUser | AnonymousUser, minimum: Role) -> bool:
    """Say whether the user holds at least the given role."""
    role = role_of(user)
    return role is not None and role >= minimum


F = TypeVar("F", bound=Callable[..., Any])


def role_required(minimum: Role) -> Callable[[F], F]:
    """Refuse the view with 403 unless the user holds at least `minimum`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not has_role(request.user, minimum):
                raise PermissionDenied(f"This needs the {minimum.group_name} role.")
            return view(request, *args, **kwargs)

        # Readable on the URL pattern's callback (wraps() carries it outwards), so the URL walk
        # in tests/security can check every view against the role it declares.
        wrapped.minimum_role = max(minimum, getattr(view, "minimum_role", minimum))  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator
