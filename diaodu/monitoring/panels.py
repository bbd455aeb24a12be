"""The monitoring app's panel on the project page: the light evaluated now, with its reasons."""

from diaodu.monitoring.lights import evaluate
from diaodu.projects import panels


def light_panel(request, project, year) -> dict:
    return {"verdict": evaluate([project])[project.pk]}


def register_panels() -> None:
    panels.register("light", light_panel)
