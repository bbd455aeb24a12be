"""API for programmes and projects, scoped exactly like the pages."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from diaodu.core.exports import EXPORT_RENDERERS, XLSX_RESPONSE
from diaodu.projects import exports
from diaodu.projects.filters import ProjectFilterSet
from diaodu.projects.models import (
    AnnualPlan,
    Approval,
    FundingLine,
    Milestone,
    Program,
    Project,
)


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["id", "name", "code", "year", "level", "cadence", "batch", "description"]


class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgramSerializer
    filterset_fields = ["year", "level", "cadence"]

    def get_queryset(self):
        return Program.objects.visible_to(self.request.user)


class AnnualPlanSerializer(serializers.ModelSerializer):
    months = serializers.SerializerMethodField()

    class Meta:
        model = AnnualPlan
        fields = ["year", "planned_investment", "targets", "months"]

    def get_months(self, plan) -> dict[str, str]:
        return {str(m.month): str(m.planned_investment) for m in plan.months.all()}


class MilestoneSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

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
            "state",
        ]

    def get_state(self, milestone) -> str:
        return milestone.state()


class ApprovalSerializer(serializers.ModelSerializer):
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


class FundingLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingLine
        fields = ["id", "source", "planned", "secured", "disbursed", "note"]


class ProjectSerializer(serializers.ModelSerializer):
    annual_planned = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="Planned investment of the requested year (?year=, default this year), 万元.",
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "national_code",
            "category",
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
            "annual_plans",
            "milestones",
            "approvals",
            "funding_lines",
        ]


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = ProjectFilterSet

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectSerializer

    def get_queryset(self):
        try:
            year = int(self.request.query_params.get("year") or timezone.localdate().year)
        except ValueError:
            year = timezone.localdate().year
        queryset = (
            Project.objects.visible_to(self.request.user)
            .with_plan_for(year)
            .prefetch_related("responsible_units", "leaders", "programs")
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                "annual_plans__months", "milestones", "approvals", "funding_lines"
            )
        return queryset

    @extend_schema(responses=XLSX_RESPONSE)
    @action(detail=False, methods=["get"], renderer_classes=EXPORT_RENDERERS)
    def export(self, request):
        """The ledger as on the ledger page (same filters and sort), every row, with totals;
        it imports back unchanged."""
        return exports.ledger_download(request.user, request.query_params)
