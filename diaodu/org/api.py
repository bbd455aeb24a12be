"""API for the unit directory and the audit log."""

from rest_framework import serializers, viewsets

from diaodu.core.api import VisibleRelationsMixin
from diaodu.org.filters import AuditEventFilterSet
from diaodu.org.models import AuditEvent, Unit


class UnitSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "code", "kind", "kind_display", "parent", "aliases"]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    filterset_fields = ["kind", "parent"]

    def get_queryset(self):
        return Unit.objects.visible_to(self.request.user)


class AuditEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "kind",
            "kind_display",
            "user",
            "username",
            "address",
            "detail",
            "request_id",
        ]
        read_only_fields = fields


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit log (headquarters and administrators; others see an empty list)."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet

    def get_queryset(self):
        return AuditEvent.objects.visible_to(self.request.user)
