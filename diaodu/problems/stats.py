"""Counts per unit of open, overdue, solved on time and solved late problems and tasks.

The monthly ranking reads these; they are computed from the data, never typed.
"""

from django.db.models import Count, F, Q
from django.utils import timezone

from diaodu.problems.choices import ProblemStatus, TaskStatus


def _counts(queryset, unit_field, closed_status, closed_at):
    today = timezone.localdate()
    return {
        row[unit_field]: row
        for row in queryset.values(unit_field).annotate(
            open=Count("pk", filter=~Q(status=closed_status)),
            overdue=Count("pk", filter=~Q(status=closed_status) & Q(deadline__lt=today)),
            on_time=Count(
                "pk",
                filter=Q(status=closed_status) & Q(**{f"{closed_at}__date__lte": F("deadline")}),
            ),
            late=Count(
                "pk",
                filter=Q(status=closed_status) & Q(**{f"{closed_at}__date__gt": F("deadline")}),
            ),
        )
    }


def counts_by_unit(problems, tasks):
    """[(unit id, {'problems': {...}, 'tasks': {...}})] for the units that have any."""
    by_problem = _counts(
        problems.order_by(), "responsible_unit", ProblemStatus.VERIFIED, "solved_at"
    )
    by_task = _counts(tasks.order_by(), "lead_unit", TaskStatus.VERIFIED, "done_at")
    empty = {"open": 0, "overdue": 0, "on_time": 0, "late": 0}
    return {
        unit_id: {"problems": by_problem.get(unit_id, empty), "tasks": by_task.get(unit_id, empty)}
        for unit_id in by_problem.keys() | by_task.keys()
    }
