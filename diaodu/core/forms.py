"""What every form shares: Tabler's classes on its widgets, and limits said in plain words."""

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from diaodu.core.limits import MaxChars, validate_year
from diaodu.core.photo_evidence import NOT_A_NUMBER, Sent, check_sent


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


def _hidden(name: str) -> forms.HiddenInput:
    return forms.HiddenInput(attrs={"data-photo-field": name})


class PhotoEvidenceFields(forms.Form):
    """What the browser sends beside a photo (photos.js fills them in, with the user's leave;
    without script they stay empty and the photo is taken as before): where it was, how sure,
    and when the photo was taken. Mixed into a form that takes a photo; `sent()` gives them to
    the service, which checks them again however they came."""

    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        widget=_hidden("latitude"),
        error_messages={"invalid": NOT_A_NUMBER["latitude"]},
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        widget=_hidden("longitude"),
        error_messages={"invalid": NOT_A_NUMBER["longitude"]},
    )
    accuracy = forms.FloatField(
        label=_("Accuracy (m)"),
        required=False,
        widget=_hidden("accuracy"),
        error_messages={"invalid": NOT_A_NUMBER["accuracy"]},
    )
    taken_at = forms.DateTimeField(
        label=_("Time taken"),
        required=False,
        validators=[validate_year],
        widget=_hidden("taken_at"),
        error_messages={"invalid": NOT_A_NUMBER["taken_at"]},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if any(name in self.errors for name in ("latitude", "longitude", "accuracy", "taken_at")):
            return cleaned  # said already: a value that is not a number or a time
        for name, message in check_sent(self.sent()).items():
            self.add_error(name, message)
        return cleaned

    def sent(self) -> Sent:
        data = getattr(self, "cleaned_data", {})
        return Sent(
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            accuracy=data.get("accuracy"),
            taken_at=data.get("taken_at"),
        )
