"""What every form shares: Tabler's classes on its widgets, and limits said in plain words."""

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator

from diaodu.core.limits import MaxChars


def style(form):
    """Give every widget of a form Tabler's class (selects and other inputs differ), and every
    text field with a limit the message that names it ("描述不能超过 5000 个字符，现有 … 个")."""
    for field in form.fields.values():
        name_the_limit(field)
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.HiddenInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


def name_the_limit(field):
    """A text field's length check, with a message naming the field, its limit and the length
    typed, in place of Django's own (which names neither the field nor, in Chinese, clearly the
    characters)."""
    if not isinstance(field, forms.CharField) or not field.max_length:
        return
    field.validators = [
        MaxChars(validator.limit_value, field.label)
        if type(validator) is MaxLengthValidator
        else validator
        for validator in field.validators
    ]


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)
