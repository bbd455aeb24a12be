"""The problem list and the task list as workbooks: exactly the filtered rows of the page.

Callers pass the filtered queryset (already scoped with `visible_to`); the related rows each
column needs are fetched here, in a fixed number of queries whatever the number of rows.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.core.choices import Light
from diaodu.core.exports import (
    DATE,
    Column,
    field_header,
    local_date,
    table_workbook,
    xlsx_response,
)
from diaodu.problems.models import Problem, Task
from diaodu.problems.warnings import light_of

CHUNK = 2000


def _region(item):
    if item.project is None:
        return None
    return item.project.region or _("City level")


def _light(today):
    return lambda item: Light(light_of(item, today)[0]).label


def _days_open(today):
    """Days from when the problem was raised to when it was verified closed (or today)."""

    def days(problem):
        end = local_date(problem.verified_at) if problem.is_closed else today
        return (end - local_date(problem.created_at)).days if end else None

    return days


def problem_columns(today) -> list[Column]:
    return [
        Column(_("Problem"), 40, lambda p: p.description),
        Column(_("Project"), 30, lambda p: p.project.name),
        Column(_("Region"), 12, _region),
        Column(_("Category"), 10, lambda p: p.get_category_display()),
        Column(_("Responsible unit"), 18, lambda p: p.responsible_unit),
        Column(_("Coordinating leader"), 14, lambda p: p.coordinating_leader),
        Column(_("Level"), 10, lambda p: p.get_level_display()),
        Column(field_header(Problem, "source"), 10, lambda p: p.get_source_display()),
        Column(field_header(Problem, "created_at"), 12, lambda p: local_date(p.created_at), DATE),
        Column(_("Deadline"), 12, lambda p: p.deadline, DATE),
        Column(_("Status"), 12, lambda p: p.get_status_display()),
        Column(_("Warning"), 8, _light(today)),
        Column(_("Days open"), 10, _days_open(today)),
    ]


def task_columns(today) -> list[Column]:
    return [
        Column(_("Task"), 40, lambda t: t.content),
        Column(_("Project"), 30, lambda t: t.project.name if t.project else None),
        Column(_("Region"), 12, _region),
        Column(_("Lead unit"), 18, lambda t: t.lead_unit),
        Column(
            _("Responsible units"),
            24,
            lambda t: "、".join(str(unit) for unit in t.responsible_units.all()),
        ),
        Column(_("Source"), 12, lambda t: t.get_source_display()),
        Column(_("Source text"), 30, lambda t: t.source_text),
        Column(_("Supervision level"), 12, lambda t: t.get_supervision_display()),
        Column(_("Assigned by"), 10, lambda t: t.created_by),
        Column(field_header(Task, "created_at"), 12, lambda t: local_date(t.created_at), DATE),
        Column(_("Deadline"), 12, lambda t: t.deadline, DATE),
        Column(_("Status"), 12, lambda t: t.get_status_display()),
        Column(_("Warning"), 8, _light(today)),
        Column(
            field_header(Task, "last_feedback_at"),
            14,
            lambda t: local_date(t.last_feedback_at),
            DATE,
        ),
    ]


def _response(queryset, kind: str, title: str, columns, total):
    today = timezone.localdate()
    content = table_workbook(title, columns(today), queryset.iterator(chunk_size=CHUNK), total)
    return xlsx_response(content, f"{title} {today:%Y-%m-%d}.xlsx", f"{kind}-{today:%Y%m%d}.xlsx")


def problem_response(queryset):
    """The problems of `queryset` (scoped and filtered by the caller) as a download."""
    return _response(
        queryset.select_related("project__region", "responsible_unit", "coordinating_leader"),
        "problems",
        _("Problems"),
        problem_columns,
        lambda count: _("Total (%(count)d problems)") % {"count": count},
    )


def task_response(queryset):
    """The tasks of `queryset` (scoped and filtered by the caller) as a download."""
    return _response(
        queryset.select_related("project__region", "lead_unit", "created_by").prefetch_related(
            "responsible_units"
        ),
        "tasks",
        _("Tasks"),
        task_columns,
        lambda count: _("Total (%(count)d tasks)") % {"count": count},
    )
