"""Who is behind in a period: each project's filing state, and counts per unit."""

from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Prefetch

from diaodu.projects.models import Project
from diaodu.reporting.choices import FILING_COLOURS, Filing, ReportStatus
from diaodu.reporting.models import ProgressReport


@dataclass
class Row:
    project: Project
    report: ProgressReport | None
    filing: str

    @property
    def filing_label(self):
        return Filing(self.filing).label

    @property
    def colour(self):
        return FILING_COLOURS[self.filing]

    @property
    def late(self):
        return self.report is not None and self.report.is_late


def filing_of(report: ProgressReport | None) -> str:
    if report is None:
        return Filing.MISSING
    if report.status == ReportStatus.DRAFT:
        return Filing.DRAFT
    if report.status == ReportStatus.RETURNED:
        return Filing.RETURNED
    if report.status == ReportStatus.APPROVED:
        return Filing.APPROVED
    return Filing.LATE if report.is_late else Filing.SUBMITTED


def period_rows(period, user, program=None) -> list[Row]:
    """Every project due in the period that the user may see (of `program`, if given), with
    its report."""
    # Who submitted and who reviewed: the export shows them.
    reports = ProgressReport.objects.filter(period=period).select_related(
        "period", "submitted_by", "reviewed_by"
    )
    projects = Project.objects.visible_to(user).filter(pk__in=period.projects_due().values("pk"))
    if program is not None:
        projects = projects.filter(programs=program)
    projects = (
        projects.select_related("region", "owner", "lead_unit")
        .prefetch_related(Prefetch("reports", queryset=reports, to_attr="period_reports"))
        .order_by(*Project._meta.ordering)
    )
    rows = []
    for project in projects:
        report = project.period_reports[0] if project.period_reports else None
        rows.append(Row(project, report, filing_of(report)))
    return rows


def select_rows(rows: list[Row], filing=None, status=None, project=None) -> list[Row]:
    """The rows in a filing state, with a report in a status, or of one project (if given)."""
    return [
        row
        for row in rows
        if (not filing or row.filing == filing)
        and (not status or (row.report is not None and row.report.status == status))
        and (project is None or row.project.pk == project)
    ]


def counts_by_unit(rows: list[Row]) -> list[dict]:
    """Per region (or, for city-level projects, per lead unit): how many in each state."""
    table: OrderedDict = OrderedDict()
    for row in rows:
        unit = row.project.region or row.project.lead_unit
        key = unit.pk if unit else 0
        entry = table.setdefault(
            key,
            {
                "unit": unit,
                "total": 0,
                "reported": 0,
                "missing": 0,
                "late": 0,
                "returned": 0,
                "approved": 0,
            },
        )
        entry["total"] += 1
        if row.filing in {Filing.MISSING, Filing.DRAFT}:
            entry["missing"] += 1
        else:
            entry["reported"] += row.filing != Filing.RETURNED
        entry["late"] += row.late
        entry["returned"] += row.filing == Filing.RETURNED
        entry["approved"] += row.filing == Filing.APPROVED
    return sorted(table.values(), key=lambda e: (-e["missing"], str(e["unit"])))
