from django import forms
from django.utils.translation import gettext_lazy as _

from diaodu.core.forms import StyledForm
from diaodu.core.limits import NOTE, TEXT, validate_year
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


class TextForm(StyledForm):
    text = forms.CharField(
        label=_("Text"), max_length=NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )
