"""One FilterSet per model, shared by the HTML ledger and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from diaodu.core.choices import Light
from diaodu.core.widgets import fast_selects, light_choices
from diaodu.org.choices import UnitKind
from diaodu.org.models import Leader, Unit
from diaodu.projects.choices import Category, Stage
from diaodu.projects.models import Program, Project


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    program = django_filters.ModelChoiceFilter(
        field_name="programs", queryset=Program.objects.all(), label=_("Programme")
    )
    region = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.filter(kind=UnitKind.REGION), label=_("Region")
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    owner = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.filter(kind__in=[UnitKind.ENTERPRISE, UnitKind.DEPARTMENT]),
        label=_("Owner"),
    )
    lead_unit = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.exclude(kind=UnitKind.REGION), label=_("Lead unit")
    )
    light = django_filters.ChoiceFilter(choices=Light.choices, label=_("Warning"))
    leader = django_filters.ModelChoiceFilter(
        field_name="leaders", queryset=Leader.objects.all(), label=_("Leader in charge")
    )

    class Meta:
        model = Project
        fields = [
            "q",
            "program",
            "region",
            "stage",
            "category",
            "owner",
            "lead_unit",
            "leader",
            "light",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            field.widget.attrs["class"] = "form-control" if name == "q" else "form-select"
        self.form.fields["q"].widget.attrs["placeholder"] = _("Name or project code")
        fast_selects(self.form)
        fields = self.form.fields
        for name in ("region", "owner", "lead_unit"):
            light_choices(fields[name], ("name", "short_name"), lambda n, short: short or n)
        light_choices(fields["leader"], ("name", "title"), lambda n, t: f"{n}（{t}）" if t else n)
        light_choices(fields["program"], ("year", "name"), lambda year, n: f"{year}年{n}")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(national_code__icontains=value))

    @property
    def qs(self):
        # Filtering on a many-to-many relation can repeat a project; never show it twice.
        queryset = super().qs
        if self.form.cleaned_data.get("program") or self.form.cleaned_data.get("leader"):
            queryset = queryset.distinct()
        return queryset
