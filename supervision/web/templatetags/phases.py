from django import template

from supervision.phases.indicators import plain as plain_number

register = template.Library()


@register.filter
def plain(value):
    """A decimal without trailing zeros or exponent: 200.0000 → 200, 6.5000 → 6.5."""
    return "" if value is None else plain_number(value)
