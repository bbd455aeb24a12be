"""The monitoring app's API: the dashboard's figures, the ledger's export and the battle map."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response

from diaodu.core.choices import Light
from diaodu.core.exports import EXPORT_RENDERERS, XLSX_RESPONSE
from diaodu.monitoring import exports
from diaodu.monitoring.battle_map import battle_map
from diaodu.monitoring.figures import figures
from diaodu.monitoring.forecast import Method, forecasts
from diaodu.monitoring.forms import BattleMapForm
from diaodu.monitoring.ledger import FORECAST_SORTS, SORTABLE
from diaodu.monitoring.views import DASHBOARD_YEARS, MAX_ID, dashboard_params
from diaodu.projects import api as project_api
from diaodu.projects.choices import MilestoneState, Stage
from diaodu.projects.models import Project


class LedgerExportQuery(serializers.Serializer):
    """The ledger's year and sort, as on the ledger page (its filters are the list's)."""

    year = serializers.IntegerField(
        required=False,
        min_value=DASHBOARD_YEARS.start,
        max_value=DASHBOARD_YEARS.stop - 1,
        help_text="The year of the annual plan and of the investment (default: this year).",
    )
    sort = serializers.ChoiceField(
        required=False,
        choices=[order for key in (*SORTABLE, *FORECAST_SORTS) for order in (key, f"-{key}")],
        help_text="The column to sort by, descending after a '-' (default: by region, then "
        "name; a leader's own projects first); spi and finish sort by the forecast (projects "
        "without one last).",
    )
    forecast = serializers.ChoiceField(
        required=False,
        choices=["late"],
        help_text="'late': only the projects forecast to finish more than "
        "DIAODU_FORECAST_LATE_DAYS days after their planned completion.",
    )
    unit = serializers.ChoiceField(
        required=False,
        choices=exports.UNITS,
        help_text="The unit of the amounts: 'wan' (万元, the default) or 'yi' (亿元, four "
        "decimals; the title and the headers say 亿元, and the file still imports).",
    )


def _money(**kwargs):
    return serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, read_only=True, **kwargs
    )


class ForecastSerializer(serializers.Serializer):
    """Earned value and the forecast finish of a project under construction, as of today
    (docs/forecast.md)."""

    planned_value = _money(help_text="Budget planned to be spent by today (万元).")
    earned_value = _money(help_text="Physical progress × total investment (万元).")
    actual_cost = _money(help_text="Investment completed since the start (万元).")
    spi = _money(help_text="Schedule performance index: earned value / planned value.")
    cpi = _money(help_text="Cost performance index: earned value / actual cost.")
    finish = serializers.DateField(allow_null=True, help_text="The forecast completion date.")
    late_days = serializers.IntegerField(
        allow_null=True,
        help_text="Days from the planned completion to the forecast finish (negative: early).",
    )
    late = serializers.BooleanField(
        source="is_late",
        help_text="Forecast to finish more than DIAODU_FORECAST_LATE_DAYS days late.",
    )
    method = serializers.ChoiceField(
        choices=Method.choices, help_text="How the forecast finish was found."
    )
    method_label = serializers.CharField(help_text="The method, in words.")


class ForecastFieldMixin(serializers.Serializer):
    """A project's `forecast`, from the forecasts the view computed for the page at once."""

    forecast = serializers.SerializerMethodField(
        help_text="Earned value and forecast finish; null unless under construction."
    )

    @extend_schema_field(ForecastSerializer(allow_null=True))
    def get_forecast(self, project):
        forecast = self.context.get("forecasts", {}).get(project.pk)
        return ForecastSerializer(forecast).data if forecast is not None else None


class ProjectWithForecastSerializer(ForecastFieldMixin, project_api.ProjectSerializer):
    class Meta(project_api.ProjectSerializer.Meta):
        fields = [*project_api.ProjectSerializer.Meta.fields, "forecast"]


class ProjectDetailWithForecastSerializer(ForecastFieldMixin, project_api.ProjectDetailSerializer):
    class Meta(project_api.ProjectDetailSerializer.Meta):
        fields = [*project_api.ProjectDetailSerializer.Meta.fields, "forecast"]


class ProjectViewSet(project_api.ProjectViewSet):
    """The projects' API, with the ledger's export (whose figures come from the reports) and
    each project's earned value and forecast finish."""

    def get_serializer_class(self):
        if self.action == "list":
            return ProjectWithForecastSerializer
        if self.action == "retrieve":
            return ProjectDetailWithForecastSerializer
        return super().get_serializer_class()

    def get_serializer(self, *args, **kwargs):
        """The forecasts of the page (or of the one project) in a fixed number of queries."""
        if self.action in {"list", "retrieve"} and args:
            rows = list(args[0]) if kwargs.get("many") else [args[0]]
            context = kwargs.setdefault("context", self.get_serializer_context())
            context["forecasts"] = forecasts(rows)
            args = (rows if kwargs.get("many") else args[0], *args[1:])
        return super().get_serializer(*args, **kwargs)

    @extend_schema(filters=True, parameters=[LedgerExportQuery], responses=XLSX_RESPONSE)
    @action(detail=False, methods=["get"], renderer_classes=EXPORT_RENDERERS)
    def export(self, request):
        """The ledger as on the ledger page (same filters and sort), every row, with totals;
        it imports back unchanged. A value the page would pass over is refused (400)."""
        LedgerExportQuery(data=request.query_params).is_valid(raise_exception=True)
        self.filter_queryset(Project.objects.none())  # the list's filters, checked as it does
        return exports.ledger_download(request.user, request.query_params)


class DashboardQuery(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        min_value=DASHBOARD_YEARS.start,
        max_value=DASHBOARD_YEARS.stop - 1,
        help_text="The year (default: this year).",
    )
    program = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="A programme of that year (another id: all the projects one sees).",
    )


def _amount(**kwargs):
    """A sum in 万元 or a percentage, as a decimal string."""
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)


class StageCountSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()


class LightCountSerializer(serializers.Serializer):
    light = serializers.ChoiceField(choices=Light.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()


class StartsSerializer(serializers.Serializer):
    planned = serializers.IntegerField(help_text="Projects planned to start this year.")
    started = serializers.IntegerField(help_text="Of those, the ones that have started.")


class CurvePointSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    plan = _amount(help_text="Planned investment to the end of the month.")
    actual = _amount(allow_null=True, help_text="Invested to the end of the month (null ahead).")


class RegionFiguresSerializer(serializers.Serializer):
    region_id = serializers.IntegerField()
    region__name = serializers.CharField()
    n = serializers.IntegerField(help_text="Projects.")
    investment = _amount(allow_null=True, help_text="Their total investment.")
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()
    planned = _amount(help_text="Planned investment of the year.")
    invested = _amount(help_text="Invested in the year.")


class DepartmentFiguresSerializer(serializers.Serializer):
    lead_unit_id = serializers.IntegerField()
    lead_unit__name = serializers.CharField()
    n = serializers.IntegerField(help_text="Projects it leads.")
    red = serializers.IntegerField()


class OverstatedSerializer(serializers.Serializer):
    project_id = serializers.IntegerField()
    project_name = serializers.CharField()
    inspection_id = serializers.IntegerField()
    date = serializers.DateField()
    reported_percent = _amount(allow_null=True)
    verified_percent = _amount(allow_null=True)
    progress_gap = _amount(allow_null=True)


class DashboardSerializer(serializers.Serializer):
    """The dashboard's figures for the projects the user sees (of a programme, if chosen)."""

    year = serializers.IntegerField()
    projects = serializers.IntegerField()
    total_investment = _amount()
    stages = StageCountSerializer(many=True)
    lights = LightCountSerializer(many=True)
    lights_month = serializers.DateField(
        allow_null=True,
        help_text="For a past year, the month whose snapshot gave the lights (as they were at "
        "its close); null: the lights of today.",
    )
    planned = _amount(help_text="Planned investment of the year.")
    invested = _amount(help_text="Invested in the year.")
    rate = _amount(allow_null=True, help_text="Invested against planned, in per cent.")
    due_rate = _amount(
        allow_null=True, help_text="Planned to the end of last month against planned, in per cent."
    )
    starts = StartsSerializer()
    problems_open = serializers.IntegerField()
    problems_overdue = serializers.IntegerField()
    tasks_open = serializers.IntegerField()
    tasks_overdue = serializers.IntegerField()
    reports_submitted = serializers.IntegerField()
    reports_on_time = serializers.IntegerField()
    curve = CurvePointSerializer(many=True)
    regions = RegionFiguresSerializer(many=True)
    departments = DepartmentFiguresSerializer(many=True)
    overstated = OverstatedSerializer(many=True)
    overstated_more = serializers.BooleanField()


@extend_schema(parameters=[DashboardQuery], responses=DashboardSerializer)
@api_view(["GET"])
def dashboard_api(request):
    """The dashboard's figures (?year=, ?program=) for the caller's scope."""
    DashboardQuery(data=request.query_params).is_valid(raise_exception=True)
    year, program, _programs = dashboard_params(request)
    data = figures(request.user, year, program)
    data["stages"] = [
        {"stage": v, "label": str(label), "count": n} for v, label, n in data["stages"]
    ]
    data["lights"] = [
        {"light": v, "label": str(label), "count": n} for v, label, n in data["lights"]
    ]
    return Response(json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str)))


class BattleMapForecastSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="Where it begins: today, or the finish if past.")
    finish = serializers.DateField(help_text="The forecast completion date.")
    late = serializers.BooleanField(
        help_text="Forecast to finish more than DIAODU_FORECAST_LATE_DAYS days late."
    )
    late_days = serializers.IntegerField(
        allow_null=True, help_text="Days from the planned completion to the forecast finish."
    )
    spi = _money(help_text="Schedule performance index.")
    method = serializers.CharField(help_text="How the forecast finish was found, in words.")


class BattleMapMilestoneSerializer(serializers.Serializer):
    name = serializers.CharField()
    date = serializers.DateField(help_text="The planned date.")
    met_on = serializers.DateField(allow_null=True, help_text="The day it was met, if it was.")
    state = serializers.ChoiceField(
        choices=MilestoneState.choices,
        help_text="done and done_late: met; pending: due, not yet; overdue: past, not met.",
    )
    state_label = serializers.CharField()


class BattleMapNextSerializer(serializers.Serializer):
    name = serializers.CharField()
    date = serializers.DateField()


class BattleMapRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField(help_text="The project's page.")
    light = serializers.ChoiceField(choices=Light.choices)
    light_label = serializers.CharField()
    group = serializers.CharField(
        allow_null=True, help_text="The row's region or lead unit when grouped; null otherwise."
    )
    planned = serializers.ListField(
        child=serializers.DateField(),
        allow_null=True,
        help_text="[planned start, planned completion]; null unless both are set.",
    )
    actual = serializers.ListField(
        child=serializers.DateField(),
        allow_null=True,
        help_text="[actual start, actual completion or today]; null before the start.",
    )
    forecast = BattleMapForecastSerializer(
        allow_null=True, help_text="The stretch to the forecast finish; null without one."
    )
    milestones = BattleMapMilestoneSerializer(many=True)
    next = BattleMapNextSerializer(allow_null=True, help_text="The first milestone not met.")


class BattleMapAxisSerializer(serializers.Serializer):
    min = serializers.DateField(help_text="Before every date of the rows and today.")
    max = serializers.DateField(help_text="After every date of the rows and today.")
    today = serializers.DateField()


class BattleMapGroupSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Its rows on this page.")


class BattleMapSerializer(serializers.Serializer):
    """The battle map's rows: every project of the filtered set, 500 a page, in order."""

    count = serializers.IntegerField(help_text="Projects of the filtered set.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    first = serializers.IntegerField(help_text="The number of the page's first row (1-based).")
    last = serializers.IntegerField(help_text="The number of the page's last row.")
    axis = BattleMapAxisSerializer()
    groups = BattleMapGroupSerializer(many=True)
    rows = BattleMapRowSerializer(many=True)


@extend_schema(
    parameters=[
        OpenApiParameter("program", OpenApiTypes.INT, description="A programme's id."),
        OpenApiParameter("region", OpenApiTypes.INT, description="A region's id."),
        OpenApiParameter("light", OpenApiTypes.STR, enum=Light.values, description="A warning."),
        OpenApiParameter("leader", OpenApiTypes.INT, description="A leader in charge's id."),
        OpenApiParameter(
            "group",
            OpenApiTypes.STR,
            enum=["region", "lead_unit"],
            description="Group (and order) the rows by region or by lead unit.",
        ),
        OpenApiParameter("page", OpenApiTypes.INT, description="The page (500 rows each)."),
    ],
    responses=BattleMapSerializer,
)
@api_view(["GET"])
def battle_map_api(request):
    """The battle map's rows (as `/battle-map/`, same filters) for the caller's scope. A value
    that is no choice is answered 400, the field named."""
    form = BattleMapForm(request.query_params, request.user)
    if not form.is_valid():
        raise APIValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    projects = form.filter(Project.objects.visible_to(request.user))
    data = form.cleaned_data
    drawn = battle_map(projects, data["group"], data["page"], timezone.localdate())
    return Response(BattleMapSerializer(drawn.as_dict()).data)
