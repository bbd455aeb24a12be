"""A period's progress reports as a workbook for the scheduling meeting (调度会).

One row per project the user sees in the period, filed or not: a project with no report shows
"未填报", so the meeting sees who is behind next to what was reported.
"""

from django.utils.translation import gettext as _

from diaodu.core.exports import (
    DATETIME,
    MONEY,
    PERCENT,
    Column,
    field_header,
    table_workbook,
    xlsx_response,
)
from diaodu.reporting.models import ProgressReport


def _report(key):
    """The value of a report's field, or None for a project that has not filed."""
    return lambda row: getattr(row.report, key) if row.report is not None else None


def _user(key):
    def value(row):
        user = getattr(row.report, key) if row.report is not None else None
        return str(user) if user else None

    return value


def columns() -> list[Column]:
    return [
        Column(_("Project name"), 36, lambda row: row.project.name),
        Column(_("Region"), 12, lambda row: row.project.region or _("City level")),
        Column(_("Owner"), 22, lambda row: row.project.owner),
        Column(_("Status"), 12, lambda row: row.filing_label),
        Column(_("Investment this period (10k yuan)"), 16, _report("invested"), MONEY, total=True),
        Column(
            field_header(ProgressReport, "physical_percent"),
            12,
            _report("physical_percent"),
            PERCENT,
        ),
        Column(_("Workers on site"), 12, _report("workers")),
        Column(_("Physical progress"), 40, _report("physical_progress")),
        Column(_("Next steps"), 30, _report("next_steps")),
        Column(_("Problems encountered"), 30, _report("problems")),
        Column(_("Submitted at"), 17, _report("submitted_at"), DATETIME),
        Column(field_header(ProgressReport, "submitted_by"), 10, _user("submitted_by")),
        Column(field_header(ProgressReport, "reviewed_by"), 10, _user("reviewed_by")),
        Column(field_header(ProgressReport, "reviewed_at"), 17, _report("reviewed_at"), DATETIME),
    ]


def period_response(period, rows):
    """The rows of `progress.period_rows` (filtered as on the page) as a download."""
    title = _("%(period)s progress reports") % {"period": period}
    content = table_workbook(
        title,
        columns(),
        rows,
        lambda count: _("Total (%(count)d projects)") % {"count": count},
    )
    return xlsx_response(
        content, f"{title}.xlsx", f"progress-{period.code}-{period.start:%Y%m%d}.xlsx"
    )
