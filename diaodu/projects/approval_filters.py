"""The approvals list's filters (联审联批), shared by /approvals/, its export and the API.

With no status chosen the list shows the approvals in progress (the open queue); "all" shows
every status. Lights are selected in SQL from the stored due date (approval_timing.light_q).
"""

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from diaodu.core.choices import Light
from diaodu.core.filters import IdFilter
from diaodu.core.widgets import YesNoSelect, fast_selects, light_choices
from diaodu.org.choices import UnitKind
from diaodu.org.models import Unit
from diaodu.projects.approval_timing import light_q
from diaodu.projects.choices import ApprovalKind, ApprovalStatus
from diaodu.projects.models import Approval

ALL = "all"


class ApprovalFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    project = IdFilter(field_name="project", widget=forms.HiddenInput)
    department = django_filters.ModelChoiceFilter(
        field_name="responsible_department",
        queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT),
        label=_("Responsible department"),
    )
    region = django_filters.ModelChoiceFilter(
        field_name="project__region",
        queryset=Unit.objects.filter(kind=UnitKind.REGION),
        label=_("Region"),
    )
    kind = django_filters.ChoiceFilter(choices=ApprovalKind.choices, label=_("Approval"))
    status = django_filters.ChoiceFilter(
        choices=[*ApprovalStatus.choices, (ALL, _("All statuses"))],
        method="by_status",
        label=_("Status"),
        empty_label=_("In progress (open)"),
    )
    light = django_filters.ChoiceFilter(
        choices=Light.choices, method="by_light", label=_("Warning")
    )
    overdue = django_filters.BooleanFilter(
        method="by_overdue", label=_("Overdue"), widget=YesNoSelect
    )

    class Meta:
        model = Approval
        fields = ["q", "project", "department", "region", "kind", "status", "light", "overdue"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        for name, field in fields.items():
            field.widget.attrs["class"] = "form-control" if name == "q" else "form-select"
        fields["q"].widget.attrs["placeholder"] = _("Project or document number")
        fast_selects(self.form)
        for name in ("department", "region"):
            light_choices(fields[name], ("name", "short_name"), lambda n, short: short or n)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=ApprovalStatus.IN_PROGRESS)
        # The most urgent first: by due date, approvals without one last.
        return queryset.order_by(F("due_on").asc(nulls_last=True), "project__name", "pk")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(project__name__icontains=value)
            | Q(project__national_code__icontains=value)
            | Q(document_number__icontains=value)
        )

    def by_status(self, queryset, name, value):
        return queryset if value == ALL else queryset.filter(status=value)

    def by_light(self, queryset, name, value):
        return queryset.filter(light_q(value))

    def by_overdue(self, queryset, name, value):
        red = light_q(Light.RED)
        return queryset.filter(red) if value else queryset.exclude(red)
