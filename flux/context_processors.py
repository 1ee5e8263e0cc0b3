"""Template context shared by every page of the shell."""

from django.http import HttpRequest

from flux.accounts.roles import role_of


def shell(request: HttpRequest) -> dict[str, object]:
    """Expose the signed-in user's role to the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"flux_role": None}
    return {"flux_role": role_of(user)}
