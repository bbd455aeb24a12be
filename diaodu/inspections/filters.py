"""The FilterSet of inspections, shared by the list page, its export and the API."""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from diaodu.core.filters import IdFilter
from diaodu.core.widgets import YesNoSelect
from diaodu.inspections.choices import Rating
from diaodu.inspections.models import Inspection
from diaodu.org.choices import UnitKind
from diaodu.org.models import Unit

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EitherSelect(forms.NullBooleanSelect):
    """Yes, no, or either (the blank first choice, as in the other filters)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "---------"), ("true", _("Yes")), ("false", _("No"))]


class InspectionFilterSet(django_filters.FilterSet):
    project = IdFilter(field_name="project", widget=forms.HiddenInput)
    region = django_filters.ModelChoiceFilter(
        field_name="project__region",
        queryset=Unit.objects.filter(kind=UnitKind.REGION),
        label=_("Region"),
    )
    rating = django_filters.ChoiceFilter(choices=Rating.choices, label=_("Rating"))
    overstated = django_filters.BooleanFilter(
        method="by_overstated", label=_("Progress overstated"), widget=YesNoSelect
    )
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("Visited from"), widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("Visited until"), widget=DATE_INPUT
    )

    class Meta:
        model = Inspection
        fields = ["project", "region", "rating", "overstated", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            widget = field.widget
            widget.attrs["class"] = (
                "form-select" if isinstance(widget, forms.Select) else "form-control"
            )

    def by_overstated(self, queryset, name, value):
        """Yes: the site showed less than reported by more than DIAODU_PROGRESS_GAP points."""
        if value:
            return queryset.overstated()
        return queryset.filter(
            Q(progress_gap__isnull=True) | Q(progress_gap__lte=settings.DIAODU_PROGRESS_GAP)
        )
