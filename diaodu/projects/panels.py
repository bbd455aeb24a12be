"""The project page's panels, each gathered by the app that owns it.

The project page belongs to the projects app, but what it shows of reports, problems and tasks,
inspections and the light belongs to the apps above it, which the projects app may not import.
Each of those apps registers, when it is ready, a function that returns the context of its
panels for one project; the page asks every registered function.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from diaodu.projects.models import Project

Panel = Callable[[HttpRequest, Project, int], dict[str, Any]]

_panels: dict[str, Panel] = {}


def register(name: str, panel: Panel) -> None:
    """Add (or replace) the panel called `name`: `panel(request, project, year)` returns the
    template context it contributes."""
    _panels[name] = panel


def gather(request: HttpRequest, project: Project, year: int) -> dict[str, Any]:
    """The context of every registered panel for this project, in the order registered."""
    context: dict[str, Any] = {}
    for panel in _panels.values():
        context.update(panel(request, project, year))
    return context
