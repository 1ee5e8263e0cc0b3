"""Template tags for the sign-in pages."""

from django import template

from flux.accounts.adapters import password_login_allowed as _password_login_allowed

register = template.Library()


@register.simple_tag
def password_login_allowed() -> bool:
    """Say whether the sign-in page may offer the password form."""
    return _password_login_allowed()
