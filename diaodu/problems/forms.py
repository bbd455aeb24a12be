from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from diaodu.org.models import Unit
from diaodu.problems.choices import ProblemCategory, SupervisionLevel


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class ProblemForm(_Styled):
    category = forms.ChoiceField(label=_("Category"), choices=ProblemCategory.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Unit.objects.all()
    )
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))


class ReportProblemForm(ProblemForm):
    """The optional problem raised from a progress report's page."""

    prefix = "problem"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def has_problem(self):
        return bool(self.data.get(self.add_prefix("description"), "").strip())


class TaskForm(_Styled):
    content = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 3}))
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.all())
    responsible_units = forms.ModelMultipleChoiceField(
        label=_("Responsible units"),
        queryset=Unit.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    supervision = forms.ChoiceField(label=_("Supervision level"), choices=SupervisionLevel.choices)


class TextForm(_Styled):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 2}))
