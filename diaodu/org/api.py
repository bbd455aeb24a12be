"""API for the unit directory."""

from rest_framework import serializers, viewsets

from diaodu.org.models import Unit


class UnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "code", "kind", "kind_display", "parent", "aliases"]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    filterset_fields = ["kind", "parent"]

    def get_queryset(self):
        return Unit.objects.visible_to(self.request.user)
