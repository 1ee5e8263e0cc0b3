"""Show minor-unit amounts as money in catalog templates."""

from django import template

from dashboards.metrics import format_value, minor_to_major

register = template.Library()


@register.filter
def money(amount: int | None, currency: str = "USD") -> str:
    """Format `amount` minor units of `currency`, e.g. 8999 -> $89.99."""
    return format_value(minor_to_major(amount, currency), "money", currency)
