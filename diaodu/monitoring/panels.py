"""The monitoring app's panel on the project page: the light evaluated now, with its reasons."""

from typing import Any

from django.http import HttpRequest

from diaodu.monitoring.lights import evaluate
from diaodu.projects import panels
from diaodu.projects.models import Project


def light_panel(request: HttpRequest, project: Project, year: int) -> dict[str, Any]:
    return {"verdict": evaluate([project])[project.pk]}


def register_panels() -> None:
    panels.register("light", light_panel)
