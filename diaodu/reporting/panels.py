"""The reporting app's panels on the project page: the latest reports and the year's figures."""

from typing import Any

from django.http import HttpRequest

from diaodu.projects import panels
from diaodu.projects.models import Project
from diaodu.reporting import snapshots
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


def trends_panel(request: HttpRequest, project: Project, year: int) -> dict[str, Any]:
    """The project month by month, from the snapshots kept: its light, physical progress, and
    investment this year against the plan to date."""
    rows = snapshots.trend(project)
    if len(rows) < 2:
        return {"trend": None}
    trend = {
        "months": [f"{row.snapshot.month:%Y-%m}" for row in rows],
        "lights": [row.light for row in rows],
        "physical": [float(row.physical_percent) if row.physical_percent is not None else None
                     for row in rows],
        "invested": [float(row.invested_year) for row in rows],
        "planned": [float(row.planned_to_date) for row in rows],
    }  # fmt: skip
    return {"trend": trend}


def register_panels() -> None:
    panels.register("reports", reports_panel)
    panels.register("trends", trends_panel)
