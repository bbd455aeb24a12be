"""API for programmes and projects, scoped exactly like the pages.

Writes go through the project services, like the pages: a project out of the user's scope is
404, one the user may not change (or not that part of it) 403, an invalid change 400 with a
message per field. Every related id is read from what the user may see, so an id out of scope
and one that does not exist get the same answer.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from diaodu.core.api import ServiceActionsMixin, VisibleRelatedField, VisibleRelationsMixin
from diaodu.core.limits import NOTE, validate_year
from diaodu.org.choices import UnitKind
from diaodu.org.models import Unit
from diaodu.projects import services
from diaodu.projects.filters import ProjectFilterSet
from diaodu.projects.models import (
    TAG_LENGTH,
    TAGS_MAX,
    AnnualPlan,
    Approval,
    FundingLine,
    Milestone,
    Program,
    Project,
)


class ProgramSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["id", "name", "code", "year", "level", "cadence", "batch", "description"]


class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgramSerializer
    filterset_fields = ["year", "level", "cadence"]

    def get_queryset(self):
        return Program.objects.visible_to(self.request.user)


class AnnualPlanSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    months = serializers.SerializerMethodField()

    class Meta:
        model = AnnualPlan
        fields = ["year", "planned_investment", "targets", "months"]

    def get_months(self, plan) -> dict[str, str]:
        return {str(m.month): str(m.planned_investment) for m in plan.months.all()}


class MilestoneSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "name",
            "planned_date",
            "baseline_date",
            "actual_date",
            "responsible_unit",
            "note",
            "evidence",
            "state",
        ]

    def get_state(self, milestone) -> str:
        return milestone.state()

    def get_evidence(self, milestone) -> str | None:
        """Where to download the evidence (for whoever may see the project)."""
        if not milestone.evidence:
            return None
        return reverse("projects:milestone-evidence", args=[milestone.project_id, milestone.pk])


class ApprovalSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    class Meta:
        model = Approval
        fields = [
            "id",
            "kind",
            "responsible_department",
            "status",
            "time_limit_days",
            "planned_date",
            "applied_on",
            "completed_on",
            "document_number",
        ]


class FundingLineSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    class Meta:
        model = FundingLine
        fields = ["id", "source", "planned", "secured", "disbursed", "note"]


class ProjectSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    annual_planned = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="Planned investment of the requested year (?year=, default this year), 万元.",
    )
    tags = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Words beside the category."
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "national_code",
            "category",
            "tags",
            "stage",
            "region",
            "owner",
            "lead_unit",
            "responsible_units",
            "leaders",
            "programs",
            "total_investment",
            "annual_planned",
            "planned_start",
            "planned_completion",
            "actual_start",
            "actual_completion",
            "latitude",
            "longitude",
            "address",
            "stats_registered",
            "stats_registered_on",
            "light",
            "light_reasons",
            "updated_at",
        ]


class ProjectDetailSerializer(ProjectSerializer):
    annual_plans = AnnualPlanSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    approvals = ApprovalSerializer(many=True, read_only=True)
    funding_lines = FundingLineSerializer(many=True, read_only=True)

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "scope",
            "contact_person",
            "contact_phone",
            "annual_plans",
            "milestones",
            "approvals",
            "funding_lines",
        ]


def _scoped(queryset, user, path="project"):
    """Rows of the projects the user may see."""
    if user.is_authenticated and user.is_active and user.sees_everything:
        return queryset
    return queryset.filter(**{f"{path}__in": Project.objects.visible_to(user).values("pk")})


class ProjectWriteSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    """What may be written to a project; each field is checked against the user's parts."""

    region = VisibleRelatedField(
        queryset=Unit.objects.filter(kind=UnitKind.REGION), allow_null=True, required=False
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=NOTE,
        help_text="Kept in the history.",
    )
    # Each tag stripped; their length, number and repeats are checked by the model, as on the
    # project's page.
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_LENGTH),
        max_length=TAGS_MAX,
        required=False,
        help_text=f"At most {TAGS_MAX} distinct words beside the category.",
    )

    class Meta:
        model = Project
        fields = sorted(services.PROJECT_FIELDS - {"programs"}) + ["reason"]
        validators = []  # the service checks the constraints, with the other rules


class MembershipSerializer(serializers.Serializer):
    program = VisibleRelatedField(queryset=Program.objects.all())
    action = serializers.ChoiceField(choices=["add", "remove"])
    reason = serializers.CharField(
        max_length=NOTE, help_text="Why the project moves in or out (动态调整)."
    )


def _move(user, project, program, action, reason):
    """Add the project to a programme or take it out, as the membership body says."""
    move = services.do_add_to_program if action == "add" else services.do_remove_from_program
    return move(user, project, program, reason=reason)


class YearSerializer(serializers.Serializer):
    """The query's ?year=: the year whose plan `annual_planned` gives."""

    year = serializers.IntegerField(min_value=1, max_value=9999, required=False)


def _year(request) -> int:
    """The year asked for, or this year when none (or no valid year) is given."""
    asked = YearSerializer(data=request.query_params)
    if asked.is_valid() and asked.validated_data.get("year"):
        return asked.validated_data["year"]
    return timezone.localdate().year


# The year whose plan `annual_planned` gives (the list and one project).
YEAR = OpenApiParameter("year", int, description="The year of annual_planned (default: this year).")


@extend_schema_view(
    list=extend_schema(parameters=[YEAR]), retrieve=extend_schema(parameters=[YEAR])
)
class ProjectViewSet(
    ServiceActionsMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Projects in the user's scope. POST creates one (headquarters, or a region in its area);
    PATCH changes the fields the user may change; `…/programs/` moves it in or out of a
    programme (headquarters, with a reason)."""

    filterset_class = ProjectFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action in {"create", "partial_update", "update"}:
            return ProjectWriteSerializer
        return ProjectSerializer if self.action == "list" else ProjectDetailSerializer

    def get_queryset(self):
        queryset = (
            Project.objects.visible_to(self.request.user)
            .with_plan_for(_year(self.request))
            .prefetch_related("responsible_units", "leaders", "programs")
        )
        if self.action != "list":
            queryset = queryset.prefetch_related(
                "annual_plans__months", "milestones", "approvals", "funding_lines"
            )
        return queryset

    def _detail(self, project, code=status.HTTP_200_OK):
        fresh = self.get_queryset().filter(pk=project.pk).first() or project
        return Response(ProjectDetailSerializer(fresh).data, status=code)

    @extend_schema(request=ProjectWriteSerializer, responses={201: ProjectDetailSerializer})
    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        reason = values.pop("reason", "")
        project = self.call(lambda: services.do_create_project(request.user, values, reason=reason))
        return self._detail(project, status.HTTP_201_CREATED)

    @extend_schema(request=ProjectWriteSerializer, responses=ProjectDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        project = self.get_object()
        body = self.get_serializer(project, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        reason = values.pop("reason", "")
        self.call(lambda: services.do_update_project(request.user, project, values, reason=reason))
        return self._detail(project)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=MembershipSerializer, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def programs(self, request, pk=None):
        """Move the project in or out of a programme (动态调整), with the reason kept."""
        return self.transition(_move, MembershipSerializer, ["program", "action", "reason"])


# -- the parts of a project ------------------------------------------------------------------


class MilestoneWriteSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all())
    evidence = serializers.FileField(required=False, allow_null=True)

    class Meta:
        model = Milestone
        fields = ["project", *sorted(services.MILESTONE_FIELDS)]


class MilestoneMetSerializer(serializers.Serializer):
    actual_date = serializers.DateField(validators=[validate_year])
    evidence = serializers.FileField(
        required=False, help_text="A photo (JPEG, PNG, WebP or GIF) or a PDF document."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ProjectMilestoneSerializer(MilestoneSerializer):
    class Meta(MilestoneSerializer.Meta):
        fields = ["id", "project", *MilestoneSerializer.Meta.fields[1:]]


def _mark_met(user, milestone, actual_date, evidence, note):
    return services.do_mark_milestone_met(
        user, milestone, actual_date=actual_date, evidence=evidence, note=note
    )


class _PartViewSet(
    ServiceActionsMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """A part of projects in the user's scope, written through the project services."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_fields = ["project"]
    read_serializer = None
    write_serializer = None

    def get_serializer_class(self):
        if self.action in {"create", "partial_update", "update"}:
            return self.write_serializer
        return self.read_serializer

    def _read(self, obj, code=status.HTTP_200_OK):
        fresh = self.get_queryset().filter(pk=obj.pk).first() or obj
        return Response(self.read_serializer(fresh).data, status=code)

    def _body(self, instance=None):
        body = self.write_serializer(
            instance,
            data=self.request.data,
            partial=instance is not None,
            context=self.get_serializer_context(),
        )
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        values.pop("project", None)
        return body.validated_data.get("project"), values

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


class MilestoneViewSet(_PartViewSet):
    """Milestones (时间节点). The region or headquarters adds them and plans their dates;
    the owner marks one met (`…/met/`, with a photo or PDF as evidence)."""

    read_serializer = ProjectMilestoneSerializer
    write_serializer = MilestoneWriteSerializer

    def get_queryset(self):
        return _scoped(Milestone.objects.all(), self.request.user)

    @extend_schema(request=MilestoneWriteSerializer, responses={201: ProjectMilestoneSerializer})
    def create(self, request, *args, **kwargs):
        project, values = self._body()
        milestone = self.call(lambda: services.do_add_milestone(request.user, project, values))
        return self._read(milestone, status.HTTP_201_CREATED)

    @extend_schema(request=MilestoneWriteSerializer, responses=ProjectMilestoneSerializer)
    def partial_update(self, request, *args, **kwargs):
        milestone = self.get_object()
        _project, values = self._body(milestone)
        self.call(lambda: services.do_update_milestone(request.user, milestone, values))
        return self._read(milestone)

    def destroy(self, request, *args, **kwargs):
        milestone = self.get_object()
        self.call(lambda: services.do_delete_milestone(request.user, milestone))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MilestoneMetSerializer, responses=ProjectMilestoneSerializer)
    @action(detail=True, methods=["post"])
    def met(self, request, pk=None):
        """Mark the milestone met: `actual_date`, and `evidence` (multipart) to show it."""
        return self.transition(
            _mark_met, MilestoneMetSerializer, ["actual_date", "evidence", "note"]
        )


class ProjectFundingLineSerializer(FundingLineSerializer):
    class Meta(FundingLineSerializer.Meta):
        fields = ["id", "project", *FundingLineSerializer.Meta.fields[1:]]


class FundingLineWriteSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all())

    class Meta:
        model = FundingLine
        fields = ["project", *sorted(services.FUNDING_FIELDS)]
        validators = []  # one line per source: checked by the service


class FundingLineViewSet(_PartViewSet):
    """Funding lines (资金筹措) per source: planned (region, headquarters); secured and
    disbursed (the owner)."""

    read_serializer = ProjectFundingLineSerializer
    write_serializer = FundingLineWriteSerializer

    def get_queryset(self):
        return _scoped(FundingLine.objects.all(), self.request.user)

    @extend_schema(
        request=FundingLineWriteSerializer, responses={201: ProjectFundingLineSerializer}
    )
    def create(self, request, *args, **kwargs):
        project, values = self._body()
        line = self.call(lambda: services.do_add_funding_line(request.user, project, values))
        return self._read(line, status.HTTP_201_CREATED)

    @extend_schema(request=FundingLineWriteSerializer, responses=ProjectFundingLineSerializer)
    def partial_update(self, request, *args, **kwargs):
        line = self.get_object()
        _project, values = self._body(line)
        self.call(lambda: services.do_update_funding_line(request.user, line, values))
        return self._read(line)

    def destroy(self, request, *args, **kwargs):
        line = self.get_object()
        self.call(lambda: services.do_delete_funding_line(request.user, line))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectPlanSerializer(AnnualPlanSerializer):
    class Meta(AnnualPlanSerializer.Meta):
        fields = ["id", "project", *AnnualPlanSerializer.Meta.fields]


class PlanWriteSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all())
    planned_investment = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    months = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0),
        required=False,
        help_text='Month (1-12) to planned amount in 万元, e.g. {"3": "500.00"}; a month left '
        "out plans nothing. They must add up to the planned investment.",
    )

    class Meta:
        model = AnnualPlan
        fields = ["project", "year", "planned_investment", "targets", "months"]
        extra_kwargs = {"year": {"min_value": 2000, "max_value": 2100}}
        validators = []  # one plan per project and year: checked on create, below

    def validate(self, attrs):
        """A new plan (POST) is for a year the project has none; PATCH changes one."""
        if self.instance is None:
            project, year = attrs.get("project"), attrs.get("year")
            if AnnualPlan.objects.filter(project=project, year=year).exists():
                raise serializers.ValidationError(
                    {"year": [_("This project already has a plan for this year.")]}
                )
        return attrs


class AnnualPlanViewSet(_PartViewSet):
    """Annual plans with their months (the region, headquarters). POST a new year's plan;
    PATCH its investment, targets and `months`."""

    read_serializer = ProjectPlanSerializer
    write_serializer = PlanWriteSerializer
    filterset_fields = ["project", "year"]

    def get_queryset(self):
        return _scoped(AnnualPlan.objects.prefetch_related("months"), self.request.user)

    def _save(self, project, year, values):
        months = values.pop("months", None)
        values.pop("year", None)
        return self.call(
            lambda: services.do_save_annual_plan(
                self.request.user, project, year, values, months=months
            )
        )

    @extend_schema(request=PlanWriteSerializer, responses={201: ProjectPlanSerializer})
    def create(self, request, *args, **kwargs):
        project, values = self._body()
        plan = self._save(project, values.get("year"), values)
        return self._read(plan, status.HTTP_201_CREATED)

    @extend_schema(request=PlanWriteSerializer, responses=ProjectPlanSerializer)
    def partial_update(self, request, *args, **kwargs):
        plan = self.get_object()
        _project, values = self._body(plan)
        self._save(plan.project, plan.year, values)
        return self._read(plan)

    def destroy(self, request, *args, **kwargs):
        plan = self.get_object()
        self.call(lambda: services.do_delete_annual_plan(request.user, plan))
        return Response(status=status.HTTP_204_NO_CONTENT)
