"""Template context shared by every page of the shell."""

from django.http import HttpRequest

from flux.accounts.roles import role_of
from integrations.selectors import connections_needing_attention


def shell(request: HttpRequest) -> dict[str, object]:
    """Expose the signed-in user's role and the connections to reconnect to the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"flux_role": None, "connection_alerts": []}
    role = role_of(user)
    alerts = connections_needing_attention() if role is not None else []
    return {"flux_role": role, "connection_alerts": alerts}
