"""The backward-scheduling form, and the battle map's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from diaodu.core.choices import Light
from diaodu.core.forms import style
from diaodu.core.limits import validate_year
from diaodu.core.widgets import fast_selects, light_choices
from diaodu.org.choices import UnitKind
from diaodu.org.models import Leader, Unit
from diaodu.projects.models import Program, Project
from diaodu.projects.schedule import TEMPLATE_NAMES


class ScheduleForm(forms.Form):
    """Read from the query string to preview and from the body to apply: an unknown template or
    a date that is no date is refused with the field named, never replaced by another."""

    target = forms.DateField(label=_("Target date"), validators=[validate_year])
    template = forms.ChoiceField(label=_("Template"), choices=list(TEMPLATE_NAMES.items()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class BattleMapForm(forms.Form):
    """The battle map's filters and grouping, read from the query string (page and API alike).

    Every choice is checked against what the user may pick: a programme they do not see is
    refused as one that does not exist. A value that is no choice is refused with the field
    named, never passed over."""

    GROUPS = [("", _("No grouping")), ("region", _("Region")), ("lead_unit", _("Lead unit"))]

    program = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Program.objects.none(),
        required=False,
        empty_label=_("All programmes"),
        error_messages={"invalid_choice": _("No such programme.")},
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Unit.objects.filter(kind=UnitKind.REGION),
        required=False,
        empty_label=_("All regions"),
        error_messages={"invalid_choice": _("No such region.")},
    )
    light = forms.ChoiceField(
        label=_("Warning"),
        choices=[("", _("All warnings")), *Light.choices],
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not a warning: red, yellow or green.")},
    )
    leader = forms.ModelChoiceField(
        label=_("Leader in charge"),
        queryset=Leader.objects.all(),
        required=False,
        empty_label=_("All leaders"),
        error_messages={"invalid_choice": _("No such leader.")},
    )
    group = forms.ChoiceField(
        label=_("Group by"),
        choices=GROUPS,
        required=False,
        error_messages={
            "invalid_choice": _("“%(value)s” is no grouping: region or lead_unit."),
        },
    )
    page = forms.IntegerField(
        label=_("Page"),
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("Write the page as a whole number, 1 or more."),
            "min_value": _("Write the page as a whole number, 1 or more."),
        },
    )

    def __init__(self, data, user):
        super().__init__({k: v for k, v in data.items() if k in self.base_fields})
        self.fields["program"].queryset = Program.objects.visible_to(user)
        style(self)
        fast_selects(self)
        fields = self.fields
        light_choices(fields["program"], ("year", "name"), lambda year, n: f"{year}年{n}")
        light_choices(fields["region"], ("name", "short_name"), lambda n, short: short or n)
        light_choices(fields["leader"], ("name", "title"), lambda n, t: f"{n}（{t}）" if t else n)

    def problems(self) -> list[str]:
        """Each error with the field it is about: "分包领导：没有这位领导。"."""
        return [
            f"{self.fields[name].label}：{message}" if name in self.fields else message
            for name, messages in self.errors.items()
            for message in messages
        ]

    def filter(self, projects):
        """The projects among `projects` that the chosen filters keep (each once)."""
        data = self.cleaned_data
        if data.get("program"):
            projects = projects.filter(
                pk__in=Program.projects.through.objects.filter(
                    program_id=data["program"].pk
                ).values("project_id")
            )
        if data.get("region"):
            projects = projects.filter(region=data["region"])
        if data.get("light"):
            projects = projects.filter(light=data["light"])
        if data.get("leader"):
            projects = projects.filter(
                pk__in=Project.leaders.through.objects.filter(leader_id=data["leader"].pk).values(
                    "project_id"
                )
            )
        return projects
