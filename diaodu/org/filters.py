"""The audit log's filters, shared by the page and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from diaodu.org.choices import AuditKind
from diaodu.org.models import AuditEvent


class AuditEventFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Event"), choices=AuditKind.choices)
    username = django_filters.CharFilter(label=_("User name"), lookup_expr="icontains")
    address = django_filters.CharFilter(label=_("Address"), lookup_expr="startswith")
    since = django_filters.DateFilter(
        label=_("Since"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("Until"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["kind", "username", "address", "since", "until"]
