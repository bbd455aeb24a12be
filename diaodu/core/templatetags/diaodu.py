"""Template filters shared by every page."""

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from diaodu.core.money import MISSING, in_yi, is_yi, wan_text

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
def money_yi(value):
    """An amount in 万元 for leaders, with its unit: from one 亿 up in 亿元 ("901.13 亿元"), the
    万元 figure on hover; below, in 万元 ("9,999.99 万元")."""
    if is_yi(value):
        return format_html('<span title="{}">{}</span>', wan_text(value), in_yi(value))
    text = in_yi(value)
    return text if text == MISSING else format_html("{}", text)


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


# Fragments rendered by kept_include, by (template, language, script prefix, *key); emptied
# when it grows past FRAGMENTS_KEPT (a key given by mistake cannot fill the memory).
FRAGMENTS_KEPT = 2000
_fragments: dict[tuple, str] = {}


@register.simple_tag(takes_context=True)
def kept_include(context, template_name, *key):
    """Include `template_name`, rendered once per process for each `key` (which must name
    everything the fragment reads besides the language), then served from memory: the menu
    of every page costs its 20-odd URL reversals and translations once, not per request. A
    new release starts new processes, so a changed fragment is never served stale; in
    development (DEBUG) it is rendered every time."""
    render = context.template.engine.get_template(template_name).render
    if settings.DEBUG:
        return mark_safe(render(context))
    full = (template_name, translation.get_language(), get_script_prefix(), *key)
    html = _fragments.get(full)
    if html is None:
        html = render(context)
        if len(_fragments) >= FRAGMENTS_KEPT:
            _fragments.clear()
        _fragments[full] = html
    return mark_safe(html)  # the fragment's own template escaped what it wrote
