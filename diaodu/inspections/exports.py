"""The inspection list as a workbook: exactly the filtered rows of the page, every one of them.

Callers pass the filtered queryset (already scoped with `visible_to`); the related rows each
column needs are fetched here, in a fixed number of queries whatever the number of rows.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.core.exports import (
    DATE,
    PERCENT,
    Column,
    field_header,
    table_workbook,
    xlsx_response,
)
from diaodu.inspections.models import Inspection

CHUNK = 2000
POINTS = "0.0"  # percentage points, not a percentage


def _region(inspection):
    return inspection.project.region or _("City level")


def inspection_columns() -> list[Column]:
    return [
        Column(field_header(Inspection, "date"), 12, lambda i: i.date, DATE),
        Column(_("Project"), 30, lambda i: i.project.name),
        Column(_("Region"), 12, _region),
        Column(field_header(Inspection, "inspectors"), 16, lambda i: i.inspectors),
        Column(field_header(Inspection, "rating"), 8, lambda i: i.get_rating_display()),
        Column(
            field_header(Inspection, "reported_percent"), 12, lambda i: i.reported_percent, PERCENT
        ),
        Column(
            field_header(Inspection, "verified_percent"), 12, lambda i: i.verified_percent, PERCENT
        ),
        Column(field_header(Inspection, "progress_gap"), 12, lambda i: i.progress_gap, POINTS),
        Column(_("Progress overstated"), 10, lambda i: _("Yes") if i.is_overstated else _("No")),
        Column(field_header(Inspection, "verified_progress"), 30, lambda i: i.verified_progress),
        Column(field_header(Inspection, "findings"), 40, lambda i: i.findings),
        Column(_("Problems raised"), 10, lambda i: i.problem_count),
        Column(_("Tasks set"), 10, lambda i: i.task_count),
        Column(field_header(Inspection, "recorded_by"), 10, lambda i: i.recorded_by),
    ]


def inspection_response(queryset):
    """The inspections of `queryset` (scoped and filtered by the caller) as a download."""
    today = timezone.localdate()
    rows = (
        queryset.with_counts()
        .select_related("project__region", "recorded_by")
        .iterator(chunk_size=CHUNK)
    )
    title = _("Inspections")
    content = table_workbook(
        title,
        inspection_columns(),
        rows,
        lambda count: _("Total (%(count)d inspections)") % {"count": count},
    )
    return xlsx_response(
        content, f"{title} {today:%Y-%m-%d}.xlsx", f"inspections-{today:%Y%m%d}.xlsx"
    )
