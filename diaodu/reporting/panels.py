"""The reporting app's panels on the project page: the latest reports and the year's figures."""

from typing import Any

from django.http import HttpRequest

from diaodu.projects import panels
from diaodu.projects.models import Project
from diaodu.reporting.models import ProgressReport
from diaodu.reporting.totals import project_totals

REPORTS_SHOWN = 24


def reports_panel(request: HttpRequest, project: Project, year: int) -> dict[str, Any]:
    reports = list(
        ProgressReport.objects.filter(project=project)
        .select_related("period__program")
        .order_by("-period__start", "period__program_id")[:REPORTS_SHOWN]
    )
    return {"reports": reports, "totals": project_totals(project, year)}


def register_panels() -> None:
    panels.register("reports", reports_panel)
