"""API for indicators, rankings and scoring schemes, through the same services as the pages.

Everything here is read by every signed-in user (rankings are sent to all units);
headquarters publishes rankings and versions the scheme.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from diaodu.assessment import indicators, live, services, summons
from diaodu.assessment.choices import Group, Indicator, Method, WhenMissing
from diaodu.assessment.explain import explain
from diaodu.assessment.models import Ranking, ScoringRule, ScoringScheme
from diaodu.assessment.periods import Window
from diaodu.assessment.permissions import require_manager
from diaodu.core.api import ServiceActionsMixin, VisibleRelationsMixin
from diaodu.core.limits import CODE, validate_year
from diaodu.core.pdf_api import (
    DOCUMENT_RENDERERS,
    FORMAT_PARAMETER,
    api_document,
    document_responses,
)

PERIOD = OpenApiParameter(
    "period",
    str,
    description="2024-03 (month), 2024Q1 (quarter) or 2024 (year); last month if not given",
)
GROUP = OpenApiParameter(
    "group", str, enum=Group.values, description="region (default) or department"
)


def _window(params) -> Window:
    text = params.get("period")
    if not text:
        return Window.default()
    try:
        return Window.parse(text)
    except ValueError as error:
        raise ValidationError({"period": [str(error)]}) from error


def _group(params) -> str:
    group = params.get("group") or Group.REGION
    if group not in Group.values:
        raise ValidationError({"group": [_("Unknown group: give region or department.")]})
    return group


def _unit(unit) -> dict:
    return {"id": unit.pk, "name": unit.name}


def result_data(result) -> dict:
    published = result.published
    return {
        "period": result.window.code,
        "label": result.window.label,
        "kind": result.window.kind,
        "group": result.group,
        "as_of": result.as_of,
        "published": published is not None,
        "published_at": published.computed_at if published else None,
        "published_by": str(published.computed_by) if published and published.computed_by else None,
        "scheme": {
            "id": result.scheme.pk,
            "name": result.scheme.name,
            "valid_from": result.scheme.valid_from,
        },
        "entries": [
            {
                "rank": entry.rank,
                "unit": _unit(entry.unit),
                "score": str(entry.score),
                "previous_rank": entry.previous_rank,
                "change": entry.change,
                "standing": entry.standing,
                "standing_label": entry.get_standing_display(),
                "values": indicators.as_json(entry.values),
                "lines": explain(entry.lines),
            }
            for entry in result.entries
        ],
    }


# -- what the indicators and the rankings answer (the schema) -------------------------------


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class IndicatorValuesField(serializers.DictField):
    """Indicator code → value: rates and amounts as strings, counts as numbers, null when
    there is nothing to measure."""

    child = serializers.JSONField(allow_null=True)


class IndicatorLabelSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Indicator.choices)
    label = serializers.CharField()


class UnitIndicatorsSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    values = IndicatorValuesField()


class IndicatorsSerializer(serializers.Serializer):
    """Every indicator of each unit of a group, for a month, a quarter or a year."""

    period = serializers.CharField(help_text="2024-03, 2024Q1 or 2024")
    label = serializers.CharField()
    group = serializers.ChoiceField(choices=Group.choices)
    as_of = serializers.DateField()
    indicators = IndicatorLabelSerializer(many=True)
    units = UnitIndicatorsSerializer(many=True)


class ScoreLineSerializer(serializers.Serializer):
    """One indicator's points in a unit's score, and why."""

    indicator = serializers.ChoiceField(choices=Indicator.choices)
    label = serializers.CharField()
    value = serializers.CharField()
    rule = serializers.CharField()
    points = serializers.CharField()
    negative = serializers.BooleanField()


class RankingEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    unit = UnitRefSerializer()
    score = serializers.CharField()
    previous_rank = serializers.IntegerField(allow_null=True)
    change = serializers.IntegerField(allow_null=True, help_text="Places up (+) or down (-).")
    standing = serializers.CharField(help_text="top, middle or bottom")
    standing_label = serializers.CharField()
    values = IndicatorValuesField()
    lines = ScoreLineSerializer(many=True)


class SchemeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    valid_from = serializers.DateField()


class RankingResultSerializer(serializers.Serializer):
    """A period's ranking of a group, published or computed live, every score explained."""

    period = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(help_text="month, quarter or year")
    group = serializers.ChoiceField(choices=Group.choices)
    as_of = serializers.DateField()
    published = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    published_by = serializers.CharField(allow_null=True)
    scheme = SchemeRefSerializer()
    entries = RankingEntrySerializer(many=True)


def _read(callable_):
    try:
        return callable_()
    except DjangoValidationError as error:
        raise ValidationError({"period": error.messages}) from error


@extend_schema(parameters=[PERIOD, GROUP], responses=IndicatorsSerializer)
@api_view(["GET"])
def indicators_api(request):
    """Indicators per unit of a group for a month, quarter or year, computed from the data."""
    window, group = _window(request.query_params), _group(request.query_params)
    _read(lambda: services.check_window(window))
    units, _top_of = indicators.group_units(group)
    values = live.values(window, group)
    return Response(
        {
            "period": window.code,
            "label": window.label,
            "group": group,
            "as_of": indicators.period_end(window),
            "indicators": [
                {"code": code, "label": str(label)} for code, label in Indicator.choices
            ],
            "units": [
                {"unit": _unit(units[unit_id]), "values": indicators.as_json(values[unit_id])}
                for unit_id in units
                if unit_id in values
            ],
        }
    )


class RankingSerializer(VisibleRelationsMixin, serializers.ModelSerializer):
    period = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()
    computed_by = serializers.StringRelatedField()

    class Meta:
        model = Ranking
        fields = ["id", "period", "label", "kind", "year", "number", "group", "start", "end",
                  "scheme", "computed_by", "computed_at"]  # fmt: skip

    def get_period(self, obj) -> str:
        return Window(obj.kind, obj.year, obj.number).code

    def get_label(self, obj) -> str:
        return obj.period_label


class PublishSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=CODE)


class RankingViewSet(ServiceActionsMixin, viewsets.ReadOnlyModelViewSet):
    """Published rankings; `current` reads a period's ranking, published or computed live."""

    serializer_class = RankingSerializer
    filterset_fields = ["kind", "year", "number", "group"]

    def get_queryset(self):
        return Ranking.objects.visible_to(self.request.user).select_related("computed_by")

    @extend_schema(responses=RankingResultSerializer)
    def retrieve(self, request, *args, **kwargs):
        ranking = self.get_object()
        window = Window(ranking.kind, ranking.year, ranking.number)
        return Response(result_data(services.read(window, ranking.group)))

    @extend_schema(parameters=[PERIOD, GROUP], responses=RankingResultSerializer)
    @action(detail=False, methods=["get"])
    def current(self, request):
        """The ranking of a period and group with every score explained."""
        window, group = _window(request.query_params), _group(request.query_params)
        return Response(result_data(_read(lambda: services.read(window, group))))

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=document_responses(400, 403, 404))
    @action(detail=True, methods=["get"], renderer_classes=DOCUMENT_RENDERERS)
    def summons(self, request, pk=None):
        """The 约谈通知 to the units this published ranking summons, as a Word document:
        headquarters only; 400 when it summons no unit."""
        require_manager(request.user)
        ranking = self.get_object()
        scores = summons.summoned(ranking)
        if not scores:
            raise ValidationError({"ranking": [summons.NOBODY_SUMMONED]})
        return api_document(
            request, lambda as_pdf: summons.summons_response(request.user, ranking, scores, as_pdf)
        )

    @extend_schema(
        request=PublishSerializer,
        responses={201: RankingSerializer(many=True), 202: RankingSerializer(many=True)},
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def publish(self, request):
        """Publish (or publish again) both groups' rankings of a period: headquarters only.

        201 with the rankings, or 202 with none while a worker computes them."""
        require_manager(request.user)  # before the period is read
        body = PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        window = _window(body.validated_data)
        rankings = self.call(lambda: services.queue_publish_period(request.user, window))
        return Response(
            RankingSerializer(rankings, many=True).data,
            status=status.HTTP_201_CREATED if rankings else status.HTTP_202_ACCEPTED,
        )


class RuleSerializer(serializers.ModelSerializer):
    indicator = serializers.ChoiceField(choices=Indicator.choices)
    method = serializers.ChoiceField(choices=Method.choices)
    when_missing = serializers.ChoiceField(choices=WhenMissing.choices, required=False)

    class Meta:
        model = ScoringRule
        fields = ["indicator", "method", "weight", "target", "floor", "per_item", "cap",
                  "when_missing"]  # fmt: skip
        extra_kwargs = {
            "weight": {"required": False},
            "target": {"required": False},
            "floor": {"required": False},
            "per_item": {"required": False},
            "cap": {"required": False},
        }


class SchemeSerializer(serializers.ModelSerializer):
    rules = RuleSerializer(many=True)
    tie_breaks = serializers.ListField(
        child=serializers.ChoiceField(choices=Indicator.choices), required=False
    )

    class Meta:
        model = ScoringScheme
        fields = ["id", "name", "valid_from", "top_count", "bottom_count", "tie_breaks", "note",
                  "rules", "created_by", "created_at"]  # fmt: skip
        read_only_fields = ["created_by", "created_at"]
        # Only the years: the service says when another version starts in the same month.
        extra_kwargs = {"valid_from": {"validators": [validate_year]}}


class SchemeViewSet(
    ServiceActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Versions of the scoring scheme. Headquarters creates a version (in force from its
    month) and deletes one that has not scored a published ranking; versions never change."""

    serializer_class = SchemeSerializer

    def get_queryset(self):
        return ScoringScheme.objects.visible_to(self.request.user).prefetch_related("rules")

    def create(self, request, *args, **kwargs):
        require_manager(request.user)  # before the scheme is read
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        scheme = self.call(
            lambda: services.do_create_scheme(
                request.user,
                name=data["name"],
                valid_from=data["valid_from"],
                top_count=data.get("top_count", 3),
                bottom_count=data.get("bottom_count", 3),
                tie_breaks=data.get("tie_breaks", []),
                note=data.get("note", ""),
                rules=[dict(rule) for rule in data["rules"]],
            )
        )
        return Response(self.get_serializer(scheme).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        scheme = self.get_object()
        self.call(lambda: services.do_delete_scheme(request.user, scheme))
        return Response(status=status.HTTP_204_NO_CONTENT)
