"""The import API: upload a ledger (a dry run unless asked), read the outcome, apply it."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from diaodu.core.api import ServiceActionsMixin, VisibleRelatedField
from diaodu.core.exports import EXPORT_RENDERERS, XLSX_RESPONSE, xlsx_response
from diaodu.core.schema import ValidationErrorSerializer
from diaodu.exchange import jobs, mapping, services, workbooks
from diaodu.exchange.forms import EXTENSIONS
from diaodu.exchange.importer import can_import
from diaodu.exchange.models import ImportJob, ImportStatus
from diaodu.exchange.reader import ReadError, check_size
from diaodu.projects.models import Program


class ImportJobSerializer(serializers.ModelSerializer):
    created_by = serializers.StringRelatedField()
    counts = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()
    to_create = serializers.SerializerMethodField()
    sheets = serializers.SerializerMethodField(
        help_text="How each sheet was read: its columns (field, unit, or why left aside), "
        "category rows, and the total imported against the file's own total."
    )
    skipped_sheets = serializers.SerializerMethodField()
    details = serializers.SerializerMethodField(
        help_text="What the sheets of projects' details (annual plans and their months, "
        "milestones, approvals, funding lines) create and change, by kind; null without them."
    )

    class Meta:
        model = ImportJob
        fields = [
            "id", "original_name", "created_by", "created_at", "program", "year",
            "create_missing", "status", "done", "total", "finished_at", "applied_at",
            "counts", "problems", "warnings", "changes", "to_create", "sheets",
            "skipped_sheets", "details",
        ]  # fmt: skip
        read_only_fields = fields

    def get_counts(self, job) -> dict:
        return job.result.get("counts", {})

    def get_problems(self, job) -> list[dict]:
        return job.result.get("problems", [])

    def get_warnings(self, job) -> list[dict]:
        return job.result.get("warnings", [])

    def get_changes(self, job) -> list[dict]:
        return job.result.get("changes", [])

    def get_to_create(self, job) -> list[str]:
        return job.result.get("to_create", [])

    def get_sheets(self, job) -> list[dict]:
        return job.result.get("sheets", [])

    def get_skipped_sheets(self, job) -> list[dict]:
        return job.result.get("skipped_sheets", [])

    def get_details(self, job) -> dict | None:
        return job.result.get("details")


class ColumnsSerializer(serializers.Serializer):
    """Columns of one sheet read as the person says: position (from 0) to a field, or ""."""

    sheet = serializers.CharField(max_length=100)
    columns = serializers.DictField(
        child=serializers.ChoiceField(choices=["", *mapping.FIELDS], allow_blank=True)
    )

    def validate_columns(self, value):
        if not value:
            raise serializers.ValidationError(_("Say how at least one column is read."))
        if len(value) > settings.DIAODU_IMPORT_MAX_COLUMNS:
            raise serializers.ValidationError(_("Too many columns."))
        return value


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    program = VisibleRelatedField(queryset=Program.objects.all(), required=False, allow_null=True)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    create_missing = serializers.BooleanField(default=False)
    dry_run = serializers.BooleanField(default=True)

    def validate_file(self, uploaded):
        if not uploaded.name.lower().endswith(EXTENSIONS):
            raise serializers.ValidationError(
                _("Choose an Excel workbook (.xlsx) or a CSV file; this is “%(name)s”.")
                % {"name": uploaded.name}
            )
        try:
            check_size(uploaded.size)
        except ReadError as error:
            raise serializers.ValidationError(str(error)) from error
        return uploaded


# The answers of a check or an import: the job as it ended, or while a worker has it; a 400
# carries the job with every problem of the file, or the errors of the request itself.
IMPORT_RESPONSES = {
    200: ImportJobSerializer,
    202: ImportJobSerializer,
    400: PolymorphicProxySerializer(
        component_name="ImportRefused",
        serializers=[ImportJobSerializer, ValidationErrorSerializer],
        resource_type_field_name=None,
    ),
}


class ImportViewSet(
    ServiceActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Ledger imports. POST a file to check it (`dry_run`, the default) or import it at once."""

    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return ImportJob.objects.visible_to(self.request.user).select_related("created_by")

    def get_object(self):
        return jobs.expire_if_stale(super().get_object())

    def _answer(self, job):
        """200 with the outcome, 400 with every problem, or 202 while a worker has the job
        (read it again at its address until its status is no longer running)."""
        job.refresh_from_db()
        if job.is_running:
            return Response(
                ImportJobSerializer(job).data,
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": reverse("import-detail", args=[job.pk])},
            )
        ok = job.status in {ImportStatus.READY, ImportStatus.APPLIED}
        return Response(
            ImportJobSerializer(job).data,
            status=status.HTTP_200_OK if ok else status.HTTP_400_BAD_REQUEST,
        )

    @extend_schema(request=ImportRequestSerializer, responses=IMPORT_RESPONSES)
    def create(self, request):
        """Check a ledger file; with `dry_run=false` import it too if it is clean. 400 lists
        every problem with its row and column."""
        if not can_import(request.user):  # before reading the file: the service decides too
            raise PermissionDenied(_("You cannot import projects."))
        body = ImportRequestSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        values = body.validated_data
        job = self.call(lambda: services.do_start_import(request.user, **values))
        return self._answer(job)

    @extend_schema(request=None, responses=IMPORT_RESPONSES)
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """Import a file whose dry run was clean; it is checked again first."""
        job = self.get_object()
        return self._answer(self.call(lambda: services.do_apply_import(request.user, job)))

    @extend_schema(request=ColumnsSerializer, responses=IMPORT_RESPONSES)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def columns(self, request, pk=None):
        """Read some columns of a sheet as a field (or leave them aside), remember it for later
        files with the same header, and check the file again (202 while it is checked)."""
        job = self.get_object()
        body = ColumnsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        return self._answer(
            self.call(
                lambda: services.do_correct_columns(
                    request.user, job, values["sheet"], values["columns"]
                )
            )
        )

    @extend_schema(responses=XLSX_RESPONSE)
    @action(detail=False, methods=["get"], renderer_classes=EXPORT_RENDERERS)
    def template(self, request):
        """The empty ledger template, with its header and an example row."""
        return xlsx_response(
            workbooks.template(),
            _("Project ledger template") + ".xlsx",
            "project-ledger-template.xlsx",
        )
