"""API of approvals (联审联批): the list of /approvals/ with the same filters and scope, one
approval, PATCH through the same service as the page, and the export."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from diaodu.core.api import ServiceActionsMixin, VisibleRelatedField, VisibleRelationsMixin
from diaodu.core.exports import EXPORT_RENDERERS, XLSX_RESPONSE
from diaodu.org.choices import UnitKind
from diaodu.org.models import Unit
from diaodu.projects import approvals as services
from diaodu.projects.approval_exports import approval_response
from diaodu.projects.approval_filters import ApprovalFilterSet
from diaodu.projects.models import Approval


class ApprovalClockSerializer(serializers.ModelSerializer):
    """An approval with its clock today: working days used and left, its light and why."""

    project_name = serializers.CharField(source="project.name", read_only=True)
    region = serializers.SerializerMethodField()
    responsible_department_name = serializers.SerializerMethodField()
    attachment = serializers.SerializerMethodField()
    working_days_used = serializers.SerializerMethodField()
    working_days_left = serializers.SerializerMethodField()
    light = serializers.SerializerMethodField()
    light_reason = serializers.SerializerMethodField()
    estimated = serializers.SerializerMethodField(
        help_text="The due date was counted Monday to Friday: a year's holidays are not yet known."
    )

    class Meta:
        model = Approval
        fields = [
            "id",
            "project",
            "project_name",
            "region",
            "kind",
            "responsible_department",
            "responsible_department_name",
            "status",
            "time_limit_days",
            "planned_date",
            "applied_on",
            "completed_on",
            "document_number",
            "attachment",
            "due_on",
            "working_days_used",
            "working_days_left",
            "light",
            "light_reason",
            "estimated",
        ]
        read_only_fields = fields

    def get_region(self, obj) -> str | None:
        return str(obj.project.region) if obj.project.region_id else None

    def get_responsible_department_name(self, obj) -> str | None:
        department = obj.responsible_department
        return str(department) if department is not None else None

    def get_attachment(self, obj) -> str | None:
        """Where to download the document (for whoever may see the approval)."""
        return reverse("approvals:attachment", args=[obj.pk]) if obj.attachment else None

    def get_working_days_used(self, obj) -> int | None:
        return obj.timing.used if obj.timing else None

    def get_working_days_left(self, obj) -> int | None:
        return obj.timing.left if obj.timing else None

    def get_light(self, obj) -> str | None:
        return obj.timing.light if obj.timing else None

    def get_light_reason(self, obj) -> str | None:
        return obj.timing.reason if obj.timing else None

    def get_estimated(self, obj) -> bool:
        return bool(obj.timing and obj.timing.estimated)


class ApprovalChangeSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    """What a PATCH may carry. A department may send only status, dates (applied_on,
    completed_on), document_number and attachment (multipart; null removes it); headquarters
    also kind, responsible_department, time_limit_days and planned_date."""

    responsible_department = VisibleRelatedField(
        queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT), allow_null=True, required=False
    )
    attachment = serializers.FileField(allow_null=True, required=False)

    class Meta:
        model = Approval
        fields = list(services.ALL_FIELDS)

    def validate_attachment(self, upload):
        if upload is None:
            return None
        try:
            return services.check_attachment(upload)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class ApprovalViewSet(
    ServiceActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Approvals you may see (a department: its own queue and the approvals of its projects);
    with no `status`, those in progress, the most urgent first. PATCH changes what you may."""

    serializer_class = ApprovalClockSerializer
    filterset_class = ApprovalFilterSet
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return Approval.objects.visible_to(self.request.user).select_related(
            "project__region", "responsible_department"
        )

    def filter_queryset(self, queryset):
        """The list's filters (those in progress unless a status is asked for) choose the rows
        of the list and of the export; one approval is found whatever its status."""
        if self.detail:
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(request=ApprovalChangeSerializer, responses=ApprovalClockSerializer)
    def partial_update(self, request, *args, **kwargs):
        approval = self.get_object()
        body = ApprovalChangeSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        self.call(lambda: services.do_update_approval(request.user, approval, **changes))
        return Response(self.get_serializer(self.get_queryset().get(pk=approval.pk)).data)

    @extend_schema(filters=True, responses=XLSX_RESPONSE)
    @action(detail=False, methods=["get"], url_path="export", renderer_classes=EXPORT_RENDERERS)
    def export(self, request):
        """The approvals you see, filtered as the list, as a workbook (the page's export)."""
        return self.export_response(approval_response, self.get_queryset())
