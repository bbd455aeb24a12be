"""What waits for a user among problems and tasks (the work list's first part)."""

from django.db.models import Q

from diaodu.problems.models import Problem, Task
from diaodu.problems.warnings import light_list

SHOWN = 100


def waiting(user) -> dict:
    """The open problems assigned to the user's units, the open tasks they lead or share, and
    the problems escalated to the user as leader, each list with its lights."""
    units = user.scope_unit_ids
    problems = Problem.objects.visible_to(user).select_related(
        "project__region", "responsible_unit", "coordinating_leader"
    )
    tasks = (
        Task.objects.visible_to(user)
        .select_related("project__region", "lead_unit")
        .prefetch_related("responsible_units")
    )
    # Tasks the units share are found by a subquery rather than by joining the shares (which
    # needs DISTINCT and makes the database walk every task by deadline to find a few): each
    # side is then read from its own index.
    shared = Task.responsible_units.through.objects.filter(unit_id__in=units).values("task_id")
    assigned = tasks.open().filter(Q(lead_unit_id__in=units) | Q(pk__in=shared))
    return {
        "problems": light_list(list(problems.open().filter(responsible_unit_id__in=units)[:SHOWN])),
        "tasks": light_list(list(assigned[:SHOWN])),
        "escalated": light_list(
            list(problems.open().filter(coordinating_leader__user=user)[:SHOWN])
        ),
    }
