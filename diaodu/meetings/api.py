"""API for meetings: CRUD, the agenda, minutes to draft tasks, confirmation (keeping what the
reviewer corrected), the aliases those corrections reveal, Word documents."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from diaodu.core.api import ServiceActionsMixin, VisibleRelatedField, VisibleRelationsMixin
from diaodu.core.limits import MINUTES, TEXT, validate_year
from diaodu.core.pdf import document_response
from diaodu.core.pdf_api import (
    DOCUMENT_RENDERERS,
    FORMAT_PARAMETER,
    api_document,
    document_responses,
)
from diaodu.meetings import documents, services
from diaodu.meetings.agenda import build_agenda
from diaodu.meetings.models import Meeting
from diaodu.meetings.services import extract
from diaodu.org.choices import UnitKind
from diaodu.org.models import Unit
from diaodu.problems.api import TaskSerializer
from diaodu.projects.models import Project


class MeetingSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    regions = VisibleRelatedField(
        queryset=Unit.objects.filter(kind=UnitKind.REGION), many=True, required=False
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "title",
            "date",
            "place",
            "level",
            "chair",
            "attending_units",
            "attending_leaders",
            "programs",
            "regions",
            "projects",
            "minutes",
            "decisions",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]


class ExtractSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MINUTES)


class DraftInSerializer(serializers.Serializer):
    """A draft as the extraction gave it (its ids and names as written), to learn from what
    the reviewer changed."""

    sentence = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=MINUTES
    )
    project_id = serializers.IntegerField(allow_null=True, required=False, default=None)
    project = serializers.CharField(
        allow_null=True, allow_blank=True, required=False, default="", max_length=200
    )
    unit_id = serializers.IntegerField(allow_null=True, required=False, default=None)
    unit = serializers.CharField(
        allow_null=True, allow_blank=True, required=False, default="", max_length=100
    )
    deadline = serializers.DateField(
        allow_null=True, required=False, default=None, validators=[validate_year]
    )


class RowSerializer(serializers.Serializer):
    content = serializers.CharField(allow_blank=True, required=False, default="", max_length=TEXT)
    project_id = serializers.IntegerField(allow_null=True, required=False, default=None)
    unit_id = serializers.IntegerField(allow_null=True, required=False, default=None)
    deadline = serializers.DateField(
        allow_null=True, required=False, default=None, validators=[validate_year]
    )
    sentence = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=MINUTES
    )
    draft = DraftInSerializer(required=False, default=None, allow_null=True)


class ConfirmSerializer(serializers.Serializer):
    tasks = RowSerializer(many=True)
    rejected = DraftInSerializer(many=True, required=False, default=list)


class AliasOfferSerializer(serializers.Serializer):
    alias = serializers.CharField(max_length=100)
    unit_id = serializers.IntegerField()


def _docx(request, content, filename):
    """The Word file, or (?format=pdf) its PDF; 409 where the PDF cannot be made."""
    return api_document(
        request, lambda as_pdf: document_response(content, filename, filename, as_pdf)
    )


# -- what the agenda and the extraction answer (the schema) ---------------------------------


class AgendaProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    region = serializers.CharField(allow_null=True)
    light = serializers.CharField(help_text="green, yellow or red")
    reasons = serializers.ListField(child=serializers.CharField())


class AgendaMilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField()
    project_name = serializers.CharField()
    name = serializers.CharField()
    planned_date = serializers.DateField()
    days_overdue = serializers.IntegerField()
    responsible_unit = serializers.CharField(allow_null=True)


class AgendaProblemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField()
    project_name = serializers.CharField()
    description = serializers.CharField()
    responsible_unit = serializers.CharField(allow_null=True)
    level = serializers.CharField()
    deadline = serializers.DateField()
    status = serializers.CharField()


class AgendaReportSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    project_name = serializers.CharField()
    period = serializers.IntegerField()
    period_label = serializers.CharField()
    filing = serializers.CharField(help_text="missing, late, returned or draft")


class AgendaTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    content = serializers.CharField()
    project = serializers.IntegerField(allow_null=True)
    lead_unit = serializers.CharField(allow_null=True)
    deadline = serializers.DateField()
    status = serializers.CharField()
    state = serializers.CharField(help_text="done, overdue or in progress")
    light = serializers.CharField()
    light_reason = serializers.CharField()


class AgendaSerializer(serializers.Serializer):
    """The agenda drafted from the ledger: projects on red or yellow, milestones overdue,
    problems escalated, reports missing, and the tasks of the previous meeting."""

    meeting = serializers.IntegerField()
    today = serializers.DateField()
    projects = AgendaProjectSerializer(many=True)
    milestones = AgendaMilestoneSerializer(many=True)
    problems = AgendaProblemSerializer(many=True)
    reports = AgendaReportSerializer(many=True)
    previous_meeting = serializers.IntegerField(allow_null=True)
    previous_tasks = AgendaTaskSerializer(many=True)


class DraftTaskSerializer(serializers.Serializer):
    """A task found in the minutes, for a person to check before it is confirmed."""

    sentence = serializers.CharField()
    project = serializers.CharField(allow_null=True)
    project_id = serializers.IntegerField(allow_null=True)
    content = serializers.CharField(allow_blank=True)
    unit = serializers.CharField(allow_null=True)
    unit_id = serializers.IntegerField(allow_null=True)
    deadline = serializers.DateField(allow_null=True)
    deadline_text = serializers.CharField(allow_null=True)


class DraftsSerializer(serializers.Serializer):
    drafts = DraftTaskSerializer(many=True)


class MeetingViewSet(ServiceActionsMixin, viewsets.ModelViewSet):
    """Meetings you see. Headquarters and leaders create, change and delete them."""

    serializer_class = MeetingSerializer

    def get_queryset(self):
        return (
            Meeting.objects.visible_to(self.request.user)
            .select_related("chair")
            .prefetch_related(
                "attending_units", "attending_leaders", "programs", "regions", "projects"
            )
        )

    def _require_manager(self):
        if not services.can_manage(self.request.user):
            raise PermissionDenied(_("Only headquarters and leaders manage meetings."))

    def create(self, request, *args, **kwargs):
        self._require_manager()
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        meeting = self.call(lambda: services.do_create_meeting(request.user, **body.validated_data))
        return Response(self.get_serializer(meeting).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        meeting = self.get_object()
        self._require_manager()
        body = self.get_serializer(meeting, data=request.data, partial=kwargs.pop("partial", False))
        body.is_valid(raise_exception=True)
        self.call(lambda: services.do_update_meeting(request.user, meeting, **body.validated_data))
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting.pk)).data)

    def destroy(self, request, *args, **kwargs):
        meeting = self.get_object()
        self.call(lambda: services.do_delete_meeting(request.user, meeting))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=AgendaSerializer)
    @action(detail=True, methods=["get"])
    def agenda(self, request, pk=None):
        """The agenda drafted from the ledger (the meeting page's agenda)."""
        return Response(build_agenda(self.get_object(), request.user).as_dict())

    @extend_schema(request=ExtractSerializer, responses=DraftsSerializer)
    @action(detail=True, methods=["post"])
    def extract(self, request, pk=None):
        """Minutes in, draft tasks out; the minutes are kept on the meeting."""
        meeting = self.get_object()
        self._require_manager()
        body = ExtractSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        text = body.validated_data["text"]
        self.call(lambda: services.do_save_minutes(request.user, meeting, text))
        drafts = extract(
            text,
            meeting.date,
            projects=meeting.covered_projects(request.user),
            units=Unit.objects.all(),
        )
        return Response({"drafts": [draft.as_dict() for draft in drafts]})

    @extend_schema(request=ConfirmSerializer, responses={201: TaskSerializer(many=True)})
    @action(detail=True, methods=["post"], pagination_class=None)
    def confirm(self, request, pk=None):
        """Create the tasks, all of them or none: a 400 lists every wrong row."""
        meeting = self.get_object()
        self._require_manager()
        body = ConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        raw = body.validated_data["tasks"]
        drafts = [r["draft"] for r in raw if r["draft"]] + body.validated_data["rejected"]
        projects = Project.objects.visible_to(request.user).in_bulk(
            {r["project_id"] for r in [*raw, *drafts] if r["project_id"]}
        )
        units = Unit.objects.in_bulk({r["unit_id"] for r in [*raw, *drafts] if r["unit_id"]})

        def proposed(draft):
            if not draft:
                return None
            return {
                "unit": units.get(draft["unit_id"]),
                "project": projects.get(draft["project_id"]),
                "deadline": draft["deadline"],
                "unit_written": draft["unit"] or "",
                "project_written": draft["project"] or "",
                "sentence": draft["sentence"],
            }

        rows, errors = [], {}
        for index, r in enumerate(raw):
            if r["project_id"] and r["project_id"] not in projects:
                errors[index] = [_("Unknown project.")]
            if r["unit_id"] and r["unit_id"] not in units:
                errors.setdefault(index, []).append(_("Unknown unit."))
            rows.append(
                {
                    "content": r["content"],
                    "project": projects.get(r["project_id"]),
                    "lead_unit": units.get(r["unit_id"]),
                    "deadline": r["deadline"],
                    "sentence": r["sentence"],
                    "draft": proposed(r["draft"]),
                }
            )
        for index, messages in services.check_rows(request.user, rows).items():
            errors.setdefault(index, []).extend(
                m for m in messages if m not in errors.get(index, [])
            )
        if errors:
            rows_with_errors = [{"row": i + 1, "errors": errors[i]} for i in sorted(errors)]
            return Response({"tasks": rows_with_errors}, status=status.HTTP_400_BAD_REQUEST)
        rejected = [proposed(draft) for draft in body.validated_data["rejected"]]
        tasks = self.call(lambda: services.do_confirm_tasks(request.user, meeting, rows, rejected))
        return Response(TaskSerializer(tasks, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], responses=AliasOfferSerializer(many=True), request=None)
    @extend_schema(
        methods=["post"], request=AliasOfferSerializer, responses=AliasOfferSerializer(many=True)
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def aliases(self, request, pk=None):
        """Names the minutes gave units that the directory does not know, from the reviewers'
        corrections (GET); POST one to add it to the unit's aliases (headquarters)."""
        meeting = self.get_object()
        if request.method == "POST":
            body = AliasOfferSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            unit = Unit.objects.filter(pk=body.validated_data["unit_id"]).first()
            if unit is None:
                return Response(
                    {"unit_id": [_("Unknown unit.")]}, status=status.HTTP_400_BAD_REQUEST
                )
            alias = body.validated_data["alias"]
            self.call(lambda: services.do_add_unit_alias(request.user, meeting, unit, alias))
        offers = services.alias_offers(meeting)
        return Response([{"alias": alias, "unit_id": unit.pk} for alias, unit in offers])

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=document_responses(404))
    @action(
        detail=True, methods=["get"], url_path="agenda-docx", renderer_classes=DOCUMENT_RENDERERS
    )
    def agenda_docx(self, request, pk=None):
        meeting = self.get_object()
        content = documents.agenda_docx(meeting, build_agenda(meeting, request.user))
        return _docx(request, content, f"agenda-{meeting.date:%Y%m%d}-{meeting.pk}.docx")

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=document_responses(404))
    @action(
        detail=True, methods=["get"], url_path="minutes-docx", renderer_classes=DOCUMENT_RENDERERS
    )
    def minutes_docx(self, request, pk=None):
        from diaodu.problems.models import Task

        meeting = self.get_object()
        tasks = (
            Task.objects.visible_to(request.user)
            .filter(meeting=meeting)
            .select_related("project", "lead_unit")
            .order_by("deadline", "id")
        )
        content = documents.minutes_docx(meeting, tasks, request.user)
        return _docx(request, content, f"minutes-{meeting.pk}.docx")
