"""Forms of the inspection pages: the visit, the rows found on the spot, a photo.

The forms only read what was typed; whether it makes a valid inspection is decided by the
service (`services.check_inspection`), whose errors the view puts back beside each field.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from diaodu.core.forms import PhotoEvidenceFields, style
from diaodu.core.limits import TEXT, validate_year
from diaodu.core.uploads import check_photo
from diaodu.inspections.models import Inspection
from diaodu.inspections.services import REQUIRED
from diaodu.problems.choices import ProblemCategory

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_ROWS = 50


class InspectionForm(PhotoEvidenceFields, forms.ModelForm):
    """The visit itself, and optionally one photo taken there (more from the inspection's page),
    with where and when the browser says it was taken."""

    photo = forms.ImageField(label=_("Photo"), required=False)
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    class Meta:
        model = Inspection
        fields = [
            "date",
            "inspectors",
            "rating",
            "verified_percent",
            "verified_progress",
            "findings",
        ]
        widgets = {
            "date": DATE_INPUT,
            "verified_progress": forms.Textarea(attrs={"rows": 2}),
            "findings": forms.Textarea(attrs={"rows": 4}),
        }

    # Shown as required; the service says so when one is missing, with every other error.
    shown_required = REQUIRED

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["photo"].widget.attrs.update(
            {"accept": "image/*", "capture": "environment", "data-photo": ""}
        )
        style(self)

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        return check_photo(photo) if photo else None

    def _post_clean(self):
        """The service validates the inspection; the form only reads the values typed."""


class _RowForm(forms.Form):
    """A row found on the spot; a row with nothing typed is ignored (a unit chosen in advance
    does not count as typed)."""

    typed_fields: tuple = ()

    def __init__(self, *args, unit_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Choices are computed once for the whole formset, not once per row.
        for field in self.fields.values():
            if isinstance(field, forms.TypedChoiceField) and field.coerce is int:
                field.choices = [("", "—")] + list(unit_choices)
        style(self)

    def has_content(self) -> bool:
        return any(
            str(self.data.get(self.add_prefix(name), "")).strip() for name in self.typed_fields
        )


def _unit_field(label):
    return forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None)


class ProblemRowForm(_RowForm):
    typed_fields = ("description", "deadline")

    description = forms.CharField(
        label=_("Problem"),
        required=False,
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=ProblemCategory.choices,
        initial=ProblemCategory.OTHER,
        required=False,
    )
    responsible_unit = _unit_field(_("Responsible unit"))
    deadline = forms.DateField(
        label=_("Deadline"), required=False, validators=[validate_year], widget=DATE_INPUT
    )


class TaskRowForm(_RowForm):
    typed_fields = ("content", "deadline")

    content = forms.CharField(
        label=_("Task"), required=False, max_length=TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    lead_unit = _unit_field(_("Lead unit"))
    deadline = forms.DateField(
        label=_("Deadline"), required=False, validators=[validate_year], widget=DATE_INPUT
    )


ProblemRowFormSet = forms.formset_factory(
    ProblemRowForm, extra=2, max_num=MAX_ROWS, absolute_max=MAX_ROWS
)
TaskRowFormSet = forms.formset_factory(
    TaskRowForm, extra=2, max_num=MAX_ROWS, absolute_max=MAX_ROWS
)


class PhotoForm(PhotoEvidenceFields):
    image = forms.ImageField(label=_("Photo"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def clean_image(self):
        return check_photo(self.cleaned_data["image"])
