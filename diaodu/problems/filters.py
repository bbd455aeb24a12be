"""FilterSets for problems and tasks, shared by the pages and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from diaodu.core.choices import Light
from diaodu.core.filters import IdFilter
from diaodu.core.widgets import YesNoSelect
from diaodu.org.choices import UnitKind
from diaodu.org.models import Unit
from diaodu.problems.choices import ProblemLevel, ProblemStatus, SupervisionLevel, TaskStatus
from diaodu.problems.models import Problem, Task
from diaodu.problems.warnings import light_filter, with_touch


class _Common(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    project = IdFilter(field_name="project", widget=forms.HiddenInput)
    region = django_filters.ModelChoiceFilter(
        field_name="project__region",
        queryset=Unit.objects.filter(kind=UnitKind.REGION),
        label=_("Region"),
    )
    light = django_filters.ChoiceFilter(
        choices=Light.choices, method="by_light", label=_("Warning")
    )
    overdue = django_filters.BooleanFilter(
        method="by_overdue", label=_("Overdue"), widget=YesNoSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            field.widget.attrs["class"] = "form-control" if name == "q" else "form-select"

    def by_light(self, queryset, name, value):
        return with_touch(queryset).filter(light_filter(queryset.model, value))

    def by_overdue(self, queryset, name, value):
        red = light_filter(queryset.model, Light.RED)
        return queryset.filter(red) if value else queryset.exclude(red)


class ProblemFilterSet(_Common):
    unit = django_filters.ModelChoiceFilter(
        field_name="responsible_unit", queryset=Unit.objects.all(), label=_("Responsible unit")
    )
    level = django_filters.ChoiceFilter(choices=ProblemLevel.choices, label=_("Level"))
    status = django_filters.ChoiceFilter(choices=ProblemStatus.choices, label=_("Status"))

    class Meta:
        model = Problem
        fields = ["q", "project", "unit", "region", "level", "status", "light", "overdue"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(description__icontains=value) | Q(project__name__icontains=value))


class TaskFilterSet(_Common):
    unit = django_filters.ModelChoiceFilter(
        method="by_unit", queryset=Unit.objects.all(), label=_("Unit")
    )
    supervision = django_filters.ChoiceFilter(
        choices=SupervisionLevel.choices, label=_("Supervision level")
    )
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices, label=_("Status"))

    class Meta:
        model = Task
        fields = ["q", "project", "unit", "region", "supervision", "status", "light", "overdue"]

    @extend_schema_field(OpenApiTypes.INT)  # the unit's id, in the API's schema
    def by_unit(self, queryset, name, value):
        return queryset.filter(Q(lead_unit=value) | Q(responsible_units=value)).distinct()

    def search(self, queryset, name, value):
        return queryset.filter(Q(content__icontains=value) | Q(project__name__icontains=value))
