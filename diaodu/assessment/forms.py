"""Forms of the assessment: a new version of the scoring scheme and its rules."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from diaodu.assessment.choices import Indicator, Method, WhenMissing
from diaodu.assessment.models import ScoringScheme
from diaodu.core.forms import StyledForm
from diaodu.core.limits import NOTE, validate_year

TIE_BREAK_CHOICES = [("", "—"), *Indicator.choices]


class SchemeForm(StyledForm):
    name = forms.CharField(label=_("name"), max_length=200)
    valid_from = forms.DateField(
        label=_("in force from"),
        validators=[validate_year],
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("The first month this version scores."),
    )
    top_count = forms.IntegerField(label=_("units praised"), min_value=0, max_value=50, initial=3)
    bottom_count = forms.IntegerField(
        label=_("units summoned"), min_value=0, max_value=50, initial=3
    )
    tie_break_1 = forms.ChoiceField(
        label=_("first tie-break"), choices=TIE_BREAK_CHOICES, required=False
    )
    tie_break_2 = forms.ChoiceField(
        label=_("second tie-break"), choices=TIE_BREAK_CHOICES, required=False
    )
    tie_break_3 = forms.ChoiceField(
        label=_("third tie-break"), choices=TIE_BREAK_CHOICES, required=False
    )
    note = forms.CharField(
        label=_("note"), max_length=NOTE, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def clean_valid_from(self):
        value = self.cleaned_data["valid_from"].replace(day=1)
        if ScoringScheme.objects.filter(valid_from=value).exists():
            raise forms.ValidationError(_("Another version already starts in this month."))
        return value

    def tie_breaks(self) -> list[str]:
        chosen = [self.cleaned_data.get(f"tie_break_{n}") for n in (1, 2, 3)]
        return list(dict.fromkeys(code for code in chosen if code))

    @classmethod
    def initial_from(cls, scheme):
        if scheme is None:
            return {}
        initial = {
            "name": scheme.name,
            "top_count": scheme.top_count,
            "bottom_count": scheme.bottom_count,
            "note": "",
        }
        for number, code in enumerate(scheme.tie_breaks[:3], start=1):
            initial[f"tie_break_{number}"] = code
        return initial


class RuleForm(StyledForm):
    indicator = forms.ChoiceField(label=_("indicator"), choices=TIE_BREAK_CHOICES, required=False)
    method = forms.ChoiceField(
        label=_("method"),
        choices=Method.choices,
        widget=forms.Select(attrs={"style": "min-width: 13rem"}),
    )
    weight = forms.DecimalField(
        label=_("full points"), max_digits=7, decimal_places=2, required=False, min_value=0
    )
    target = forms.DecimalField(
        label=_("value for full points"), max_digits=7, decimal_places=2, required=False
    )
    floor = forms.DecimalField(
        label=_("value for no points"), max_digits=7, decimal_places=2, required=False
    )
    per_item = forms.DecimalField(
        label=_("points per item"), max_digits=7, decimal_places=2, required=False
    )
    cap = forms.DecimalField(
        label=_("at most (points)"), max_digits=7, decimal_places=2, required=False, min_value=0
    )
    when_missing = forms.ChoiceField(
        label=_("when there is nothing to measure"),
        choices=WhenMissing.choices,
        widget=forms.Select(attrs={"style": "min-width: 7rem"}),
    )

    def rule(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("DELETE", None)
        for key, default in (("weight", 0), ("target", 100), ("floor", 0), ("per_item", 0)):
            if data.get(key) is None:
                data[key] = default
        return data

    @staticmethod
    def initial_from(rule) -> dict:
        return {
            "indicator": rule.indicator,
            "method": rule.method,
            "weight": rule.weight,
            "target": rule.target,
            "floor": rule.floor,
            "per_item": rule.per_item,
            "cap": rule.cap,
            "when_missing": rule.when_missing,
        }


RuleFormSet = formset_factory(RuleForm, extra=2, can_delete=True)
