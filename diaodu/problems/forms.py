from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from diaodu.core.forms import StyledForm
from diaodu.core.limits import NOTE, TEXT, validate_year
from diaodu.core.widgets import fast_selects, light_choices
from diaodu.org.models import Unit
from diaodu.problems.choices import ProblemCategory, SupervisionLevel


class ProblemForm(StyledForm):
    category = forms.ChoiceField(label=_("Category"), choices=ProblemCategory.choices)
    description = forms.CharField(
        label=_("Description"), max_length=TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Unit.objects.all()
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        validators=[validate_year],
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _light_units(self, "responsible_unit")


def _light_units(form: forms.Form, *names: str) -> None:
    """A select of every unit (thousands in a province: each owner is one) written in Python
    from plain rows, not through Django's option template from model instances: on the project
    page at 500,000 projects the task form's select was four fifths of the page's CPU."""
    fast_selects(form)
    for name in names:
        light_choices(form.fields[name], ("name", "short_name"), lambda n, short: short or n)


class ReportProblemForm(ProblemForm):
    """The optional problem raised from a progress report's page."""

    prefix = "problem"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def has_problem(self):
        return bool(self.data.get(self.add_prefix("description"), "").strip())


class TaskForm(StyledForm):
    content = forms.CharField(
        label=_("Task"), max_length=TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.all())
    responsible_units = forms.ModelMultipleChoiceField(
        label=_("Responsible units"),
        queryset=Unit.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        validators=[validate_year],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    supervision = forms.ChoiceField(label=_("Supervision level"), choices=SupervisionLevel.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _light_units(self, "lead_unit")


class TextForm(StyledForm):
    text = forms.CharField(
        label=_("Text"), max_length=NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )
