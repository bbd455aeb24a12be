"""The monitoring app's panels on the project page: the light evaluated now, with its reasons,
and the earned value with the forecast finish of a project under construction."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from diaodu.monitoring.forecast import forecasts
from diaodu.monitoring.lights import evaluate
from diaodu.projects import panels
from diaodu.projects.models import Project


def light_panel(request: HttpRequest, project: Project, year: int) -> dict[str, Any]:
    return {"verdict": evaluate([project])[project.pk]}


def forecast_panel(request: HttpRequest, project: Project, year: int) -> dict[str, Any]:
    """None for a project not under construction (nothing to forecast)."""
    forecast = forecasts([project]).get(project.pk)
    early = -forecast.late_days if forecast and forecast.late_days is not None else None
    return {
        "forecast": forecast,
        "forecast_early_days": early,
        "forecast_late_limit": settings.DIAODU_FORECAST_LATE_DAYS,
    }


def register_panels() -> None:
    panels.register("light", light_panel)
    panels.register("forecast", forecast_panel)
