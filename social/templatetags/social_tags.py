"""Template helpers: the brand's time zone name and the failed-posts banner."""

from typing import Any

from django import template

from flux.accounts.roles import Role, has_role
from social.forms import brand_zone
from social.selectors import failures_unseen

register = template.Library()


@register.simple_tag
def brand_zone_name() -> str:
    """Return the brand's time zone (for {% timezone %})."""
    return brand_zone().key


@register.inclusion_tag("social/partials/failure_banner.html", takes_context=True)
def social_failure_banner(context: dict[str, Any]) -> dict[str, Any]:
    """Show staff the posts that failed (or partly failed) and nobody acknowledged yet."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_role(user, Role.VIEWER):
        return {"failures": []}
    return {"failures": failures_unseen(), "request": request}
