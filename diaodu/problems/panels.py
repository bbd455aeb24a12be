"""The problems app's panels on the project page: its problems and tasks, with their lights."""

from typing import Any

from django.http import HttpRequest

from diaodu.problems.forms import TaskForm
from diaodu.problems.models import Problem, Task
from diaodu.problems.permissions import can_assign
from diaodu.problems.warnings import light_list
from diaodu.projects import panels
from diaodu.projects.models import Project


def problems_panel(request: HttpRequest, project: Project, year: int) -> dict[str, Any]:
    return {
        "problems": light_list(
            Problem.objects.filter(project=project).select_related("project", "responsible_unit")
        ),
        "tasks": light_list(
            Task.objects.filter(project=project).select_related("project", "lead_unit")
        ),
        "can_assign": can_assign(request.user),
        "task_form": TaskForm(initial={"lead_unit": project.lead_unit_id}),
    }


def register_panels() -> None:
    panels.register("problems", problems_panel)
