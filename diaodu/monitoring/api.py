"""The monitoring app's API: the dashboard's figures and the ledger's export."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action, api_view
from rest_framework.response import Response

from diaodu.core.exports import EXPORT_RENDERERS, XLSX_RESPONSE
from diaodu.monitoring import exports
from diaodu.monitoring.figures import figures
from diaodu.monitoring.views import dashboard_params
from diaodu.projects import api as project_api


class ProjectViewSet(project_api.ProjectViewSet):
    """The projects' API, with the ledger's export (whose figures come from the reports)."""

    @extend_schema(responses=XLSX_RESPONSE)
    @action(detail=False, methods=["get"], renderer_classes=EXPORT_RENDERERS)
    def export(self, request):
        """The ledger as on the ledger page (same filters and sort), every row, with totals;
        it imports back unchanged."""
        return exports.ledger_download(request.user, request.query_params)


@extend_schema(
    parameters=[
        OpenApiParameter("year", int, description="The year (default: this year)."),
        OpenApiParameter("program", int, description="A programme of that year."),
    ],
    responses=OpenApiTypes.OBJECT,
)
@api_view(["GET"])
def dashboard_api(request):
    """The dashboard's figures (?year=, ?program=) for the caller's scope."""
    year, program, _programs = dashboard_params(request)
    data = figures(request.user, year, program)
    data["stages"] = [
        {"stage": v, "label": str(label), "count": n} for v, label, n in data["stages"]
    ]
    data["lights"] = [
        {"light": v, "label": str(label), "count": n} for v, label, n in data["lights"]
    ]
    return Response(json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str)))
