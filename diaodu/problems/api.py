"""API for problems, tasks, their follow-ups and transitions, through the same services."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from diaodu.core.api import ServiceActionsMixin, VisibleRelatedField, VisibleRelationsMixin
from diaodu.core.exports import EXPORT_RENDERERS, XLSX_RESPONSE
from diaodu.core.limits import NOTE
from diaodu.core.pdf_api import (
    DOCUMENT_RENDERERS,
    FORMAT_PARAMETER,
    api_document,
    document_responses,
)
from diaodu.org.models import Unit
from diaodu.problems import exports, notices, permissions, services
from diaodu.problems.choices import LEVEL_ORDER
from diaodu.problems.filters import ProblemFilterSet, TaskFilterSet
from diaodu.problems.models import Problem, ProblemFollowUp, Task, TaskFeedback
from diaodu.problems.warnings import light_of
from diaodu.projects.models import Project


class _LightMixin(serializers.Serializer):
    light = serializers.SerializerMethodField()
    light_reason = serializers.SerializerMethodField()

    def get_light(self, obj) -> str:
        return light_of(obj)[0]

    def get_light_reason(self, obj) -> str:
        return str(light_of(obj)[1])


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProblemFollowUp
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = fields


class FeedbackSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskFeedback
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = fields


class ProblemSerializer(VisibleRelationsMixin, _LightMixin, serializers.ModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all())
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "project",
            "source",
            "report",
            "category",
            "description",
            "responsible_unit",
            "coordinating_leader",
            "level",
            "deadline",
            "status",
            "light",
            "light_reason",
            "raised_by",
            "solved_by",
            "solved_at",
            "verified_by",
            "verified_at",
            "escalated_at",
            "created_at",
            "follow_ups",
        ]
        read_only_fields = [
            "source",
            "report",
            "coordinating_leader",
            "level",
            "status",
            "raised_by",
            "solved_by",
            "solved_at",
            "verified_by",
            "verified_at",
            "escalated_at",
        ]


class TaskSerializer(VisibleRelationsMixin, _LightMixin, serializers.ModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all(), allow_null=True, required=False)
    responsible_units = VisibleRelatedField(queryset=Unit.objects.all(), many=True, required=False)
    feedback = FeedbackSerializer(many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "content",
            "project",
            "lead_unit",
            "responsible_units",
            "deadline",
            "source",
            "source_text",
            "supervision",
            "problem",
            "status",
            "light",
            "light_reason",
            "created_by",
            "last_feedback_at",
            "done_by",
            "done_at",
            "verified_by",
            "verified_at",
            "created_at",
            "feedback",
        ]
        read_only_fields = [
            "status",
            "created_by",
            "last_feedback_at",
            "done_by",
            "done_at",
            "verified_by",
            "verified_at",
        ]


class NoticeUnitSerializer(serializers.Serializer):
    """The unit a 督办单 for overdue tasks is addressed to (?unit=)."""

    unit = VisibleRelatedField(queryset=Unit.objects.all())


NOTICE_RESPONSES = document_responses(400, 403, 404)


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE)


class EscalateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=NOTE)
    to_level = serializers.ChoiceField(choices=LEVEL_ORDER, required=False)
    # The level the caller saw: if the problem has been escalated since, this is refused (400).
    from_level = serializers.ChoiceField(choices=LEVEL_ORDER, required=False)


class _TransitionsMixin(ServiceActionsMixin):
    """Each action of the transition table (`transitions.py`) runs its service on the object,
    with the text the caller sent if it takes one, and answers the object afresh."""

    def _act(self, service, text=True):
        if not text:
            return self.transition(service)
        return self.transition(service, TextSerializer, ["text"])


class ProblemViewSet(_TransitionsMixin, viewsets.ModelViewSet):
    """Problems. Create raises one; the actions move it through its states."""

    serializer_class = ProblemSerializer
    filterset_class = ProblemFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return (
            Problem.objects.visible_to(self.request.user)
            .select_related("coordinating_leader", "project")
            .prefetch_related("follow_ups")
        )

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        project = data.pop("project")
        problem = self.call(lambda: services.do_raise_problem(request.user, project, **data))
        return Response(ProblemSerializer(problem).data, status=status.HTTP_201_CREATED)

    @extend_schema(filters=True, responses=XLSX_RESPONSE)
    @action(detail=False, methods=["get"], url_path="export", renderer_classes=EXPORT_RENDERERS)
    def export(self, request):
        """The problems you see, filtered as the list, as a workbook (the page's export)."""
        return self.export_response(
            exports.problem_response, Problem.objects.visible_to(request.user)
        )

    @extend_schema(request=None, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(services.do_accept_problem, text=False)

    @extend_schema(request=TextSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        return self._act(services.do_add_problem_follow_up)

    @extend_schema(request=TextSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def solved(self, request, pk=None):
        return self._act(services.do_report_problem_solved)

    @extend_schema(request=TextSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._act(services.do_verify_problem)

    @extend_schema(request=TextSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        return self._act(services.do_send_back_problem)

    @extend_schema(request=EscalateSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self.transition(
            services.do_escalate_problem, EscalateSerializer, ["text", "to_level", "from_level"]
        )


class TaskViewSet(_TransitionsMixin, viewsets.ModelViewSet):
    """Tasks. Create assigns one; the actions move it through its states."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return Task.objects.visible_to(self.request.user).prefetch_related(
            "responsible_units", "feedback"
        )

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        project = data.pop("project", None)
        task = self.call(lambda: services.do_assign_task(request.user, project=project, **data))
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(filters=True, responses=XLSX_RESPONSE)
    @action(detail=False, methods=["get"], url_path="export", renderer_classes=EXPORT_RENDERERS)
    def export(self, request):
        """The tasks you see, filtered as the list, as a workbook (the page's export)."""
        return self.export_response(exports.task_response, Task.objects.visible_to(request.user))

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(services.do_accept_task, text=False)

    @extend_schema(request=TextSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        return self._act(services.do_add_task_feedback)

    @extend_schema(request=TextSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        return self._act(services.do_report_task_done)

    @extend_schema(request=TextSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._act(services.do_verify_task)

    @extend_schema(request=TextSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        return self._act(services.do_send_back_task)

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=NOTICE_RESPONSES)
    @action(detail=True, methods=["get"], renderer_classes=DOCUMENT_RENDERERS)
    def notice(self, request, pk=None):
        """The 督办单 for this task, addressed to its lead unit, as a Word document."""
        task = self.get_object()
        if not permissions.can_issue_notice(request.user):
            raise PermissionDenied(notices.NOT_AN_ISSUER)
        return api_document(
            request,
            lambda as_pdf: notices.notice_response(request.user, task.lead_unit, [task], as_pdf),
        )

    @extend_schema(
        parameters=[OpenApiParameter("unit", OpenApiTypes.INT, required=True), FORMAT_PARAMETER],
        responses=NOTICE_RESPONSES,
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="overdue-notice",
        filter_backends=[],
        renderer_classes=DOCUMENT_RENDERERS,
    )
    def overdue_notice(self, request):
        """The 督办单 for all of a unit's overdue tasks that you see, as a Word document."""
        if not permissions.can_issue_notice(request.user):
            raise PermissionDenied(notices.NOT_AN_ISSUER)
        query = NoticeUnitSerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        unit = query.validated_data["unit"]
        tasks = list(
            notices.overdue_tasks_of(Task.objects.visible_to(request.user), unit)
            .select_related("project", "lead_unit", "meeting")
            .prefetch_related("responsible_units")
        )
        if not tasks:
            raise serializers.ValidationError({"unit": [notices.NOTHING_OVERDUE]})
        return api_document(
            request, lambda as_pdf: notices.notice_response(request.user, unit, tasks, as_pdf)
        )
