"""Template filters shared by every page."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.http import urlencode

register = template.Library()


@register.filter
def wan(value):
    """An amount in 万元 with thousands separators and two decimals: 12,345.67."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    return f"{amount:,.2f}"


@register.filter
def percent(value, digits=1):
    if value is None:
        return "—"
    return f"{float(value):.{int(digits)}f}%"


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination and sorting)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.lists()), doseq=True) if params else "?"
