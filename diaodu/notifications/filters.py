"""The outbox's filters, shared by the page and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from diaodu.notifications.channels import Channel
from diaodu.notifications.models import Delivery, DeliveryStatus


class OutboxFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DeliveryStatus.choices)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    event = django_filters.CharFilter(label=_("Event"), lookup_expr="startswith")
    since = django_filters.DateFilter(
        label=_("Since"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Delivery
        fields = ["status", "channel", "event", "since"]
