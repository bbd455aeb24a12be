"""API for inspections: the list and one inspection, recording one, its photos, the export."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from diaodu.core.api import ServiceActionsMixin
from diaodu.core.exports import EXPORT_RENDERERS, XLSX_RESPONSE
from diaodu.core.limits import TEXT, validate_year
from diaodu.core.photo_api import PhotoSerializer
from diaodu.inspections import exports, services
from diaodu.inspections.choices import Rating
from diaodu.inspections.filters import InspectionFilterSet
from diaodu.inspections.models import Inspection, InspectionPhoto
from diaodu.org.models import Unit
from diaodu.problems.choices import ProblemCategory
from diaodu.projects.models import Project


class InspectionPhotoSerializer(PhotoSerializer):
    file_route = "inspections:photo-file"

    class Meta(PhotoSerializer.Meta):
        model = InspectionPhoto


class InspectionSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    overstated = serializers.BooleanField(source="is_overstated", read_only=True)
    problems = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    tasks = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    photos = InspectionPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "project",
            "project_name",
            "date",
            "inspectors",
            "rating",
            "findings",
            "verified_progress",
            "verified_percent",
            "report",
            "reported_percent",
            "progress_gap",
            "overstated",
            "recorded_by",
            "created_at",
            "problems",
            "tasks",
            "photos",
        ]
        read_only_fields = fields


class FoundProblemSerializer(serializers.Serializer):
    """A problem found on the spot; the service says what is missing, with everything else."""

    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT
    )
    category = serializers.ChoiceField(
        choices=ProblemCategory.choices, required=False, default=ProblemCategory.OTHER
    )
    responsible_unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    deadline = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[validate_year]
    )


class FoundTaskSerializer(serializers.Serializer):
    """A task set on the spot."""

    content = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT)
    lead_unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    deadline = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[validate_year]
    )


class InspectionRecordSerializer(serializers.Serializer):
    """What recording an inspection takes: the visit, and the rows found on the spot."""

    project = serializers.IntegerField()
    date = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[validate_year]
    )
    inspectors = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    rating = serializers.ChoiceField(choices=Rating.choices, required=False, allow_blank=True)
    findings = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT)
    verified_progress = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT
    )
    verified_percent = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, allow_null=True, default=None
    )
    problems = FoundProblemSerializer(many=True, required=False, default=list)
    tasks = FoundTaskSerializer(many=True, required=False, default=list)


def _resolve(rows, field, units, kind, errors):
    """Unit ids to units; an unknown id is the row's error (and no second one for missing)."""
    for index, row in enumerate(rows):
        unit_id = row.get(field)
        row[field] = units.get(unit_id)
        if unit_id is not None and row[field] is None:
            errors[services.row_key(kind, index, field)] = [_("Unknown unit.")]


def _error_response(errors: dict) -> Response:
    """Every problem at once: the inspection's fields, and each wrong row with its number."""
    fields, rows = services.split_errors(DjangoValidationError(errors))
    body = {field: messages for field, messages in fields.items()}
    for kind, by_index in rows.items():
        if by_index:
            body[kind] = [
                {
                    "row": index + 1,
                    "errors": {
                        (field or "non_field_errors"): messages
                        for field, messages in by_index[index].items()
                    },
                }
                for index in sorted(by_index)
            ]
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class InspectionViewSet(
    ServiceActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Inspections of the projects you see. Inspectors and headquarters record them.

    An inspection is a record of a visit: there is no update and no delete through the API
    (headquarters corrects one in the administration). Create takes the visit and, nested,
    the `problems` and `tasks` found on the spot; all are written or none, and a 400 lists
    every problem of the inspection and of each row.
    """

    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet

    def get_queryset(self):
        return (
            Inspection.objects.visible_to(self.request.user)
            .select_related("project")
            .prefetch_related("problems", "tasks", "photos")
        )

    @extend_schema(request=InspectionRecordSerializer, responses={201: InspectionSerializer})
    def create(self, request, *args, **kwargs):
        if not services.can_inspect(request.user):
            raise PermissionDenied(_("Only inspectors and headquarters record inspections."))
        body = InspectionRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        project = Project.objects.visible_to(request.user).filter(pk=data.pop("project")).first()
        if project is None:
            raise ValidationError({"project": [_("Unknown project.")]})
        problems = [dict(row) for row in data.pop("problems")]
        tasks = [dict(row) for row in data.pop("tasks")]
        units = Unit.objects.in_bulk(
            [r["responsible_unit"] for r in problems if r.get("responsible_unit")]
            + [r["lead_unit"] for r in tasks if r.get("lead_unit")]
        )
        errors = {}
        _resolve(problems, "responsible_unit", units, services.PROBLEMS, errors)
        _resolve(tasks, "lead_unit", units, services.TASKS, errors)
        data["rating"] = data.get("rating") or ""
        probe = Inspection(project=project, **data)
        for key, messages in services.check_inspection(probe, problems, tasks).items():
            errors.setdefault(key, messages)  # an unknown unit is said once, not also "choose"
        if errors:
            return _error_response(errors)
        inspection = self.call(
            lambda: services.do_record_inspection(
                request.user, project, **data, problems=problems, tasks=tasks
            )
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=inspection.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(filters=True, responses=XLSX_RESPONSE)
    @action(detail=False, methods=["get"], url_path="export", renderer_classes=EXPORT_RENDERERS)
    def export(self, request):
        """The inspections you see, filtered as the list, as a workbook (the page's export)."""
        return self.export_response(
            exports.inspection_response, Inspection.objects.visible_to(request.user)
        )

    @extend_schema(request=InspectionPhotoSerializer, responses={201: InspectionPhotoSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        """Add a photo of the visit (multipart: `image`, `caption`, and where and when the
        browser says it was taken: `latitude`, `longitude`, `accuracy`, `taken_at`); inspectors
        and headquarters. The photo's own EXIF, when it has a time or place, comes first."""
        inspection = self.get_object()
        if not services.can_inspect(request.user):
            raise PermissionDenied(_("Only inspectors and headquarters record inspections."))
        body = InspectionPhotoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        photo = self.call(
            lambda: services.do_add_inspection_photo(
                request.user,
                inspection,
                body.validated_data["image"],
                body.validated_data.get("caption", ""),
                body.sent(body.validated_data),
            )
        )
        return Response(
            InspectionPhotoSerializer(photo, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )
