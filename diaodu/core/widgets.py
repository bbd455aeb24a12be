"""A select that renders its options in Python.

Django renders every option of a Select through a template; a filter of three hundred units
then costs tens of milliseconds on every page. This widget writes the same HTML directly.
"""

import html
import threading
from collections import OrderedDict

from django import forms
from django.forms.utils import flatatt
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from diaodu.core import kept


class FastSelect(forms.Select):
    def use_required_attribute(self, initial):
        # Django reads the first choice to decide; an optional select never needs to.
        return self.is_required and super().use_required_attribute(initial)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name
        selected = {str(v) for v in self.format_value(value)}
        key = getattr(self, "plain_key", None)
        key = key() if key else None
        if key is None:
            options = self._options(selected)
        else:  # written once a process while the rows are unchanged, then chosen
            options = _written_options(key, lambda: self._options(set()))
            for chosen in selected:
                option = f'<option value="{html.escape(chosen)}">'
                options = options.replace(option, f"{option[:-1]} selected>", 1)
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))

    def _options(self, selected: set[str]) -> str:
        parts = []
        # Rows given as plain (value, label) pairs (light_choices) skip Django's normalising
        # of every choice, a quarter of the options' cost.
        rows = getattr(self, "plain_choices", None)
        for option_value, option_label in rows() if rows else self.choices:
            if isinstance(option_label, list | tuple):  # an option group
                inner = "".join(self._option(v, label, selected) for v, label in option_label)
                parts.append(format_html('<optgroup label="{}">{}</optgroup>', option_value,
                                         mark_safe(inner)))  # fmt: skip
            else:
                parts.append(self._option(option_value, option_label, selected))
        return "".join(parts)

    @staticmethod
    def _option(value, label, selected) -> str:
        # A province's ledger writes some 6,000 options a page (every unit in its filters).
        value = getattr(value, "value", value)  # ModelChoiceIteratorValue
        value = "" if value is None else str(value)
        chosen = " selected" if value in selected else ""
        return f'<option value="{html.escape(value)}"{chosen}>{_escaped(label)}</option>'


def template_attrs(attrs: dict) -> str:
    """A widget's attributes written as Django's django/forms/widgets/attrs.html writes them: in
    the dict's order, True as a bare name, False left out, any other value escaped as a string.

    Unlike flatatt, which sorts them and leaves None out, the HTML is the same byte for byte as
    the template's, so a widget rendered with it in Python cannot change a page.
    """
    return "".join(
        f" {_escaped(name)}" if value is True else f' {_escaped(name)}="{_escaped(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def template_value(value) -> str:
    """`value` as a template writes `{{ value }}`: localised for the page's language (a number,
    a date), then escaped."""
    return conditional_escape(localize(value))


def _escaped(text) -> str:
    """conditional_escape(text) without its lazy-string wrapper, which costs more than the
    escaping where a page writes thousands of options and attributes."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


def fast_selects(form) -> None:
    """Give every plain select of a form the fast widget, keeping its attributes and choices."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            widget = FastSelect(attrs=field.widget.attrs)
            widget.choices = field.widget.choices
            widget.is_required = field.widget.is_required
            field.widget = widget


# The options of the selects written from plain rows, kept by each process while what they are
# read from is unchanged (kept.CHOICES, moved on by every save or delete of the models they read:
# units, leaders, programmes). A province's ledger filters read and write some 7,000 options.
_OPTIONS: OrderedDict = OrderedDict()
_OPTIONS_KEPT = 64
_options_lock = threading.Lock()


def _written_options(key, write) -> str:
    with _options_lock:
        if key in _OPTIONS:
            _OPTIONS.move_to_end(key)
            return _OPTIONS[key]
    options = write()
    with _options_lock:
        _OPTIONS[key] = options
        while len(_OPTIONS) > _OPTIONS_KEPT:
            _OPTIONS.popitem(last=False)
    return options


def light_choices(field, fields: tuple[str, ...], label) -> None:
    """Render a model choice field's options from plain rows instead of model instances.

    `fields` are read with `values_list` after the primary key, and `label` turns them into
    the option's text. Validation still goes through the field's queryset. Where a cache is
    shared (kept.enabled), the options written are kept by the process under the query, the
    label, the language and kept.CHOICES, which the apps move on at every change to the
    models read this way.
    """
    queryset = field.queryset
    empty = [("", field.empty_label)] if field.empty_label is not None else []

    read: list = []

    def choices():  # read only when the select is rendered (never for the API), and once
        if not read:
            rows = queryset.values_list("pk", *fields)
            read.append(empty + [(pk, label(*values)) for pk, *values in rows])
        return read[0]

    def key():
        if not kept.enabled():
            return None
        sql, params = queryset.values_list("pk", *fields).query.sql_with_params()
        what = (sql, params, label.__code__, str(field.empty_label), get_language())
        return (*what, kept.CHOICES.number())

    field.widget.choices = choices
    field.widget.plain_choices = choices  # read as they are by FastSelect
    field.widget.plain_key = key


class YesNoSelect(forms.NullBooleanSelect):
    """A yes/no filter whose empty choice reads "—" (any), not "Unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "—"), *self.choices[1:]]
