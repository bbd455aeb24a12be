"""The approvals list as a workbook: exactly the filtered rows of /approvals/, every page.

Callers pass the filtered queryset (already scoped with `visible_to`); written through
`table_workbook`, so no cell can start a formula.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.core.choices import Light
from diaodu.core.exports import DATE, Column, field_header, table_workbook, xlsx_response
from diaodu.projects.approval_timing import timing_of
from diaodu.projects.models import Approval

CHUNK = 2000


def _clock(today, read):
    def value(approval):
        clock = timing_of(approval, today)
        return read(clock) if clock is not None else None

    return value


def columns(today) -> list[Column]:
    clock = _clock
    return [
        Column(_("Project"), 30, lambda a: a.project.name),
        Column(_("Region"), 12, lambda a: a.project.region or _("City level")),
        Column(_("Approval"), 20, lambda a: a.get_kind_display()),
        Column(
            field_header(Approval, "responsible_department"), 16, lambda a: a.responsible_department
        ),
        Column(_("Status"), 10, lambda a: a.get_status_display()),
        Column(field_header(Approval, "applied_on"), 12, lambda a: a.applied_on, DATE),
        Column(field_header(Approval, "time_limit_days"), 10, lambda a: a.time_limit_days),
        Column(_("Working days used"), 10, clock(today, lambda c: c.used)),
        Column(_("Working days left"), 10, clock(today, lambda c: c.left)),
        Column(field_header(Approval, "due_on"), 12, clock(today, lambda c: c.due_on), DATE),
        Column(_("Warning"), 8, clock(today, lambda c: Light(c.light).label)),
        Column(_("Reason"), 36, clock(today, lambda c: c.reason)),
        Column(field_header(Approval, "completed_on"), 12, lambda a: a.completed_on, DATE),
        Column(field_header(Approval, "document_number"), 24, lambda a: a.document_number),
    ]


def approval_response(queryset):
    """The approvals of `queryset` (scoped and filtered by the caller) as a download."""
    today = timezone.localdate()
    rows = queryset.select_related("project__region", "responsible_department").iterator(
        chunk_size=CHUNK
    )
    title = _("Approvals")
    content = table_workbook(
        title,
        columns(today),
        rows,
        lambda count: _("Total (%(count)d approvals)") % {"count": count},
    )
    return xlsx_response(
        content, f"{title} {today:%Y-%m-%d}.xlsx", f"approvals-{today:%Y%m%d}.xlsx"
    )
