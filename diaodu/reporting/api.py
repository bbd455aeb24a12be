"""API for periods and reports: the same services, permissions and checks as the pages."""

from collections import defaultdict

import django_filters
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, F
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from diaodu.core.api import ServiceActionsMixin, VisibleRelatedField, VisibleRelationsMixin
from diaodu.core.exports import EXPORT_RENDERERS, XLSX_RESPONSE
from diaodu.core.limits import NOTE, validate_year
from diaodu.core.photo_api import PhotoSerializer
from diaodu.projects.models import Project
from diaodu.reporting import exports, services
from diaodu.reporting.choices import Filing, ReportStatus
from diaodu.reporting.models import (
    ProgressReport,
    ProjectSnapshot,
    ReportingPeriod,
    ReportPhoto,
)
from diaodu.reporting.progress import period_rows, select_rows

UNKNOWN_PERIOD = gettext_lazy("Unknown reporting period.")


class PeriodSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    is_open = serializers.BooleanField(read_only=True)
    label = serializers.CharField(read_only=True)

    class Meta:
        model = ReportingPeriod
        fields = [
            "id",
            "kind",
            "program",
            "label",
            "start",
            "end",
            "due_date",
            "is_open",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = ["kind", "end", "opened_at", "closed_at"]


class ExtendSerializer(serializers.Serializer):
    due_date = serializers.DateField(validators=[validate_year])
    reason = serializers.CharField(max_length=NOTE)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=NOTE)


class ReportPhotoSerializer(PhotoSerializer):
    file_route = "reporting:photo-file"

    class Meta(PhotoSerializer.Meta):
        model = ReportPhoto


class ReportSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    is_late = serializers.BooleanField(read_only=True)
    photos = ReportPhotoSerializer(many=True, read_only=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "project",
            "period",
            "status",
            "invested",
            "physical_progress",
            "physical_percent",
            "workers",
            "next_steps",
            "problems",
            "version",
            "submitted_at",
            "reviewed_at",
            "return_reason",
            "is_late",
            "warnings",
            "photos",
        ]
        read_only_fields = ["status", "submitted_at", "reviewed_at", "return_reason"]
        extra_kwargs = {"version": {"required": False}}

    def get_warnings(self, report) -> list[str]:
        return self.context.get("warnings", [])


UNKNOWN_PROJECT = gettext_lazy("Unknown project.")


def _as_sent(max_length: int):
    """A report field as typed: a string (or nothing), for the service to check."""
    return serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=max_length
    )


class ReportValuesSerializer(serializers.Serializer):
    """The typed fields of a report, as sent: the service checks them (every error in Chinese,
    by field), so that the page and the API refuse exactly the same values."""

    invested = _as_sent(20)
    physical_percent = _as_sent(20)
    workers = _as_sent(20)
    physical_progress = _as_sent(5000)
    next_steps = _as_sent(5000)
    problems = _as_sent(5000)

    def report_values(self) -> dict:
        return {
            name: "" if value is None else value
            for name, value in self.validated_data.items()
            if name in services.REPORT_FIELDS
        }


class ReportCreateSerializer(ReportValuesSerializer):
    """A new report (or the first save of one): its project and period among those the user
    sees, so an unknown and an unseen one get the same answer."""

    project = VisibleRelatedField(queryset=Project.objects.all(), message=UNKNOWN_PROJECT)
    period = VisibleRelatedField(queryset=ReportingPeriod.objects.all(), message=UNKNOWN_PERIOD)
    version = serializers.IntegerField(required=False, min_value=0)


class ReportUpdateSerializer(ReportValuesSerializer):
    version = serializers.IntegerField(
        min_value=0,
        error_messages={"required": gettext_lazy("Send the version of the report you read.")},
    )


class ReportExportQuery(serializers.Serializer):
    """The export's query: the period (required) and the filters of the list and the page."""

    period = serializers.IntegerField(
        error_messages={
            "required": gettext_lazy("Give the reporting period to export (period)."),
            "invalid": UNKNOWN_PERIOD,
        }
    )
    project = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(choices=ReportStatus.choices, required=False)
    filing = serializers.ChoiceField(choices=Filing.choices, required=False)


class _ReportServices(ServiceActionsMixin):
    """A stale version is a 409 with the report as it is now (`current`)."""

    conflicts = (services.ReportConflict,)

    def conflict_data(self, error) -> dict:
        current = ReportSerializer(error.current).data if error.current else None
        return {"detail": str(error), "current": current}


class PeriodViewSet(_ReportServices, viewsets.ReadOnlyModelViewSet):
    serializer_class = PeriodSerializer
    filterset_fields = ["kind", "program", "program__year", "start"]

    def get_queryset(self):
        return ReportingPeriod.objects.visible_to(self.request.user).select_related("program")

    @extend_schema(request=ExtendSerializer, responses=PeriodSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        body = ExtendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        period = self.call(
            lambda: services.extend_period(
                request.user,
                self.get_object(),
                body.validated_data["due_date"],
                body.validated_data["reason"],
            )
        )
        return Response(PeriodSerializer(period).data)


class ReportConflictSerializer(serializers.Serializer):
    """409: the report moved on since the version sent (or was created meanwhile); nothing
    was saved."""

    detail = serializers.CharField()
    current = ReportSerializer(allow_null=True, help_text="The report as it is now.")


# Saving a report: a stale version is a 409 with the report as it is now.
SAVED = {200: ReportSerializer, 409: ReportConflictSerializer}


# The reports' order (the model's: the newest period first, then the projects in the ledger's
# order), with the period last to part a monthly report from an update starting the same day.
REPORT_ORDER = (
    "-period__start",
    F("project__region__sort_order").asc(nulls_last=True),
    "project__name",
    "project_id",
    "period_id",
)


class ReportPaginator(Paginator):
    """Pages of reports without sorting every report.

    Sorting a million reports with their period, project and region to keep fifty took seconds.
    Here the reports of the list are counted by period (one pass over the index on the period),
    which gives the total and tells in which periods a page's reports lie: the periods starting
    on one day, or on a few; only their reports are sorted, by their ids alone, inside the query
    that reads the page's rows in full."""

    @cached_property
    def by_start(self) -> list[tuple]:
        """The days periods start on, the latest first: the periods starting on each (their
        ids) and how many reports of the list they hold; with no day that holds none."""
        held_in = F("period")
        if self.object_list.query.has_filters():
            # Counted through the index that answers the filters (the projects in scope, a
            # status), then grouped: grouping by the period itself would have SQLite read the
            # reports in period order along an index that lacks the project, row after row.
            held_in = held_in + 0
        counts = self.object_list.order_by().values(held_in=held_in).annotate(n=Count("pk"))
        try:
            sql, params = counts.query.sql_with_params()
        except EmptyResultSet:  # a list that cannot hold anything
            return []
        # Each period's start joined to its count, not to every report counted.
        table = connection.ops.quote_name(ReportingPeriod._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT p.start, p.id, c.n FROM ({sql}) c JOIN {table} p ON p.id = c.held_in",
                params,
            )
            rows = cursor.fetchall()
        days: dict = defaultdict(lambda: ([], 0))
        for start, pk, n in rows:
            ids, count = days[start]
            days[start] = ([*ids, pk], count + n)
        return sorted(((start, *held) for start, held in days.items()), reverse=True)

    @cached_property
    def count(self) -> int:
        return sum(n for _start, _periods, n in self.by_start)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        periods, first, offset = [], None, 0
        for _start, ids, n in self.by_start:
            if offset < top and offset + n > bottom:
                first = offset if first is None else first
                periods += ids
            offset += n
        rows = self.object_list.none()
        if periods:
            ids = (
                self.object_list.filter(period__in=periods)
                .order_by(*REPORT_ORDER)
                .values("pk")[bottom - first : top - first]
            )
            # The rows by their ids alone: the list's filters again would lead the database to
            # read the rows by them (every approved report) instead of by the fifty ids.
            rows = _with_relations(ProgressReport.objects.filter(pk__in=ids)).order_by(
                *REPORT_ORDER
            )
        return self._get_page(rows, number, self)


class ReportPages(PageNumberPagination):
    django_paginator_class = ReportPaginator


def _with_relations(reports):
    return reports.select_related("period", "project").prefetch_related("photos")


def _visible_reports(user):
    """ProgressReport.visible_to(user); every report when the user's projects are every project
    (Project.visible_to filters nothing), so that counting them does not look up each report's
    project among all the projects."""
    if not Project.objects.visible_to(user).query.has_filters():
        return ProgressReport.objects.all()
    return ProgressReport.objects.visible_to(user)


@extend_schema_view(partial_update=extend_schema(request=ReportUpdateSerializer, responses=SAVED))
class ReportViewSet(
    _ReportServices,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Reports. Create or update with `version` (the one you read); a stale version gets 409."""

    serializer_class = ReportSerializer
    filterset_fields = ["period", "project", "status"]
    pagination_class = ReportPages

    def get_queryset(self):
        return _with_relations(_visible_reports(self.request.user))

    @extend_schema(parameters=[ReportExportQuery], responses=XLSX_RESPONSE)
    @action(detail=False, methods=["get"], url_path="export", renderer_classes=EXPORT_RENDERERS)
    def export(self, request):
        """The period's workbook: every project you see in it, with its report or 未填报."""
        query = ReportExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        period = (
            ReportingPeriod.objects.visible_to(request.user)
            .select_related("program")
            .filter(pk=data["period"])
            .first()
        )
        if period is None:
            raise ValidationError({"period": [UNKNOWN_PERIOD]})
        rows = select_rows(
            period_rows(period, request.user),
            filing=data.get("filing"),
            status=data.get("status"),
            project=data.get("project"),
        )
        return exports.period_response(period, rows)

    def _save(self, project, period, data, version):
        result = self.call(
            lambda: services.do_save_report(
                self.request.user, project, period, data, version=version
            )
        )
        return ReportSerializer(result.report, context={"warnings": result.warnings}).data, result

    @extend_schema(request=ReportCreateSerializer, responses={201: ReportSerializer, **SAVED})
    def create(self, request, *args, **kwargs):
        body = ReportCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        sent = body.validated_data
        answer, result = self._save(
            sent["project"], sent["period"], body.report_values(), sent.get("version")
        )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(answer, status=code)

    @extend_schema(request=ReportUpdateSerializer, responses=SAVED)
    def update(self, request, *args, **kwargs):
        report = self.get_object()
        body = ReportUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answer, _result = self._save(
            report.project, report.period, body.report_values(), body.validated_data["version"]
        )
        return Response(answer)

    def _transition(self, service, with_reason=False):
        if with_reason:
            return self.transition(service, ReasonSerializer, ["reason"])
        return self.transition(service)

    @extend_schema(request=None, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(services.do_submit_report)

    @extend_schema(request=None, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(services.do_approve_report)

    @extend_schema(request=ReasonSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._transition(services.do_return_report, with_reason=True)

    @extend_schema(request=ReasonSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._transition(services.do_reopen_report, with_reason=True)

    @extend_schema(request=ReportPhotoSerializer, responses={201: ReportPhotoSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        """Add a photo of the site (multipart: `image`, `caption`, and where and when the
        browser says it was taken: `latitude`, `longitude`, `accuracy`, `taken_at`); whoever
        files the report. The photo's own EXIF, when it has a time or place, comes first."""
        report = self.get_object()
        body = ReportPhotoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        photo = self.call(
            lambda: services.do_add_photo(
                request.user,
                report,
                body.validated_data["image"],
                body.validated_data.get("caption", ""),
                body.sent(body.validated_data),
            )
        )
        return Response(
            ReportPhotoSerializer(photo, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ProjectSnapshotSerializer(serializers.ModelSerializer):
    month = serializers.DateField(source="snapshot.month", read_only=True)
    rebuilt = serializers.BooleanField(source="snapshot.rebuilt", read_only=True)

    class Meta:
        model = ProjectSnapshot
        fields = [
            "id", "month", "rebuilt", "project", "stage", "light", "light_reasons", "region",
            "invested_year", "invested_total", "planned_year", "planned_to_date",
            "physical_percent", "milestones_due", "milestones_met", "milestones_overdue",
            "open_problems", "open_tasks", "overdue_tasks", "spi", "cpi", "forecast_finish",
        ]  # fmt: skip
        read_only_fields = fields


class SnapshotFilter(django_filters.FilterSet):
    month = django_filters.DateFilter(field_name="snapshot__month")

    class Meta:
        model = ProjectSnapshot
        fields = ["project", "month", "light", "region"]


class ProjectSnapshotViewSet(viewsets.ReadOnlyModelViewSet):
    """The projects month by month, as kept at the close of each month (a month's first day
    in ?month=, e.g. 2026-10-01), for the projects the caller sees."""

    serializer_class = ProjectSnapshotSerializer
    filterset_class = SnapshotFilter

    def get_queryset(self):
        return (
            ProjectSnapshot.objects.visible_to(self.request.user)
            .select_related("snapshot")
            .order_by("-snapshot__month", "project_id")
        )
