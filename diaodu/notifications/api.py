"""API of notifications: one's own notices, one's channels, and headquarters' outbox."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action

from diaodu.core.api import ServiceActionsMixin
from diaodu.notifications.filters import OutboxFilterSet
from diaodu.notifications.models import Delivery, Notification
from diaodu.notifications.services import do_resend, mark_read


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "event", "created_at", "read_at"]
        read_only_fields = fields


class NotificationViewSet(ServiceActionsMixin, viewsets.ReadOnlyModelViewSet):
    """The signed-in user's notices (the bell), newest first; `POST …/<id>/read/`."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        return Notification.objects.visible_to(self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark the notice read (again: it keeps the time it was first read)."""
        return self.transition(mark_read)


class DeliverySerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "title",
            "channel",
            "target_label",
            "status",
            "attempts",
            "last_error",
            "not_before",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields

    def get_title(self, delivery) -> str:
        return (delivery.message or {}).get("title", "")


class DeliveryViewSet(
    ServiceActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The outbox (headquarters): every delivery beyond the bell; `POST …/<id>/resend/`."""

    serializer_class = DeliverySerializer
    filterset_class = OutboxFilterSet

    def get_queryset(self):
        return Delivery.objects.visible_to(self.request.user)

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        return self.transition(do_resend)
