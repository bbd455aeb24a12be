"""The inputs of the fill page's rows, written in Python.

The fill page shows seven inputs for every row an owner may still change. Through Django's
form template renderer each costs two template renders (the widget and its attributes), and
on a page of 28 rows they took about 40 % of the request's CPU (cProfile). These widgets
write the same HTML as Django's templates (input.html, textarea.html, attrs.html), byte for
byte, so neither the browser nor fill.js sees a difference; the attributes (required,
aria-invalid, step, min, class, id) are still built by Django's BoundField and widget, only
the writing is ours.
"""

from django import forms
from django.forms.widgets import Input
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from diaodu.core.widgets import template_attrs


class _PythonInput(Input):
    """An <input> as django/forms/widgets/input.html writes it."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        value = self.format_value(value)
        shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
        return mark_safe(
            f'<input type="{conditional_escape(self.input_type)}" '
            f'name="{conditional_escape(name)}"{shown}{template_attrs(attrs)}>'
        )


class NumberInput(_PythonInput, forms.NumberInput):
    pass


class HiddenInput(_PythonInput, forms.HiddenInput):
    pass


class Textarea(forms.Textarea):
    """A <textarea> as django/forms/widgets/textarea.html writes it (the newline after the
    opening tag included: browsers drop it, and keep a value's own first newline)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        value = self.format_value(value)
        return mark_safe(
            f'<textarea name="{conditional_escape(name)}"{template_attrs(attrs)}>\n'
            f"{conditional_escape(value) if value else ''}</textarea>"
        )
