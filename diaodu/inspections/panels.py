"""The inspections app's panel on the project page: what inspectors saw, the latest first."""

from typing import Any

from django.http import HttpRequest

from diaodu.inspections.models import Inspection
from diaodu.inspections.services import can_inspect
from diaodu.projects import panels
from diaodu.projects.models import Project

INSPECTIONS_SHOWN = 20


def inspections_panel(request: HttpRequest, project: Project, year: int) -> dict[str, Any]:
    return {
        # One query, the latest first: what inspectors saw against what was reported.
        "inspections": list(Inspection.objects.filter(project=project)[:INSPECTIONS_SHOWN]),
        "can_inspect": can_inspect(request.user),
    }


def register_panels() -> None:
    panels.register("inspections", inspections_panel)
