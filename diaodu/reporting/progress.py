"""Who is behind in a period: each project's filing state, and counts per unit.

The page counts and filters in the database (`due_projects`, `period_counts`, `PeriodRows`) and
builds rows only for the projects it shows; the export builds every row (`period_rows`). Both
give each project the same filing state: `filing_q` is `filing_of` written as a condition on
the period's report, joined to each project (`with_report`)."""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, FilteredRelation, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from diaodu.core import kept
from diaodu.org.choices import Role
from diaodu.org.models import Unit
from diaodu.projects.models import Project
from diaodu.projects.signals import project_set
from diaodu.reporting.choices import FILING_COLOURS, Filing, ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod


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


def due_projects(period, user, program=None) -> QuerySet[Project]:
    """Every project due in the period that the user may see (of `program`, if given)."""
    # IN, not the EXISTS of `period.due()`: the page is mostly read over every project, where
    # SQLite answers IN in half the time (hq 88 against 178 ms at 50,000; a region the reverse).
    projects = Project.objects.visible_to(user).filter(
        pk__in=period.due_links().values("project_id")
    )
    if program is not None:
        projects = projects.filter(programs=program)
    return projects


def with_report(projects: QuerySet[Project], period) -> QuerySet[Project]:
    """The projects joined to their report of the period (none: the columns are null), as
    `period_report`; one row per project, a report being unique per project and period."""
    return projects.annotate(
        period_report=FilteredRelation("reports", condition=Q(reports__period=period))
    )


def _late(period) -> Q:
    return Q(period_report__submitted_at__gte=period.late_from())


def filing_q(filing: str, period) -> Q:
    """`filing_of` as a condition on `with_report`'s projects: those in the filing state."""
    status = "period_report__status"
    if filing == Filing.MISSING:
        return Q(period_report__id__isnull=True)
    if filing == Filing.LATE:
        return Q(**{status: ReportStatus.SUBMITTED}) & _late(period)
    if filing == Filing.SUBMITTED:
        on_time = Q(period_report__submitted_at__isnull=True) | Q(
            period_report__submitted_at__lt=period.late_from()
        )
        return Q(**{status: ReportStatus.SUBMITTED}) & on_time
    return Q(**{status: filing})  # draft, returned, approved: the report's status


def period_counts(projects: QuerySet[Project], period) -> tuple[list[dict], dict[str, int]]:
    """How many projects in each state: per region (or, for city-level projects, per lead
    unit), most missing first, then by name; and in all, per filing state. One grouped query
    (`filing_q` for each state) and one for the units."""
    grouped = list(
        with_report(projects, period)
        .order_by()
        .values(key=Coalesce("region_id", "lead_unit_id"))
        .annotate(
            total=Count("pk"),
            any_late=Count("pk", filter=_late(period)),  # whatever the status, as Row.late
            **{filing: Count("pk", filter=filing_q(filing, period)) for filing in Filing.values},
        )
    )
    units = Unit.objects.in_bulk([g["key"] for g in grouped if g["key"] is not None])
    by_unit = [
        {
            "unit": units.get(g["key"]),
            "total": g["total"],
            "reported": g[Filing.SUBMITTED] + g[Filing.LATE] + g[Filing.APPROVED],
            "missing": g[Filing.MISSING] + g[Filing.DRAFT],
            "late": g["any_late"],
            "returned": g[Filing.RETURNED],
            "approved": g[Filing.APPROVED],
        }
        for g in grouped
    ]
    by_unit.sort(key=lambda e: (-e["missing"], str(e["unit"]), e["unit"] and e["unit"].pk))
    by_filing = {filing: sum(g[filing] for g in grouped) for filing in Filing.values}
    return by_unit, by_filing


# How long a count of the projects one files for is kept at most (it is read under the version of
# the project set, so a change is seen at once; this only bounds what an evicted version risks).
FILEABLE_KEPT_FOR = 3600  # seconds


def fileable_count(period, user, projects: QuerySet[Project], query: str = "") -> int:
    """How many `projects` there are: those the user files for in the period, found by `query`.

    An owner of a province's investment group files for thousands of projects, and its filing
    page, opened again after every submit and return of the deadline surge, counted them every
    time (54 ms of PostgreSQL for 19,727 projects, a quarter of the database's work in the
    surge). The number changes only with the project set (projects.signals.project_set):
    counted once and kept under its version, for headquarters and each owner unit, where a
    cache is shared (diaodu/core/kept.py); counted every time elsewhere."""
    if user.is_headquarters:
        whose = "headquarters"
    elif user.role == Role.OWNER and user.unit_id is not None:
        whose = f"owner-{user.unit_id}"
    else:  # nobody else files (reporting.services.fileable): nothing to count
        return projects.count()
    if not kept.enabled():
        return projects.count()
    found = hashlib.blake2b(query.encode(), digest_size=8).hexdigest() if query else "-"
    # The period's programme and year decide which projects are due in it.
    due = f"{period.pk}:{period.program_id or '-'}:{period.start.year}"
    key = f"reporting:fileable:{due}:{whose}:{found}:{project_set.number()}"
    number = cache.get(key)
    if number is None:
        number = projects.count()
        cache.set(key, number, timeout=FILEABLE_KEPT_FOR)
    return int(number)


FAMILY = "period"


def counts_for(period, user, program=None) -> tuple[list[dict], dict[str, int]]:
    """`period_counts` of the projects due that the user sees; kept for those who see every
    project (diaodu/core/kept.py), whose counts read every project due in the period."""
    projects = due_projects(period, user, program)
    if not user.sees_everything:
        return period_counts(projects, period)
    of = (period.pk, program.pk if program is not None else "-")
    return kept.read(FAMILY, of, lambda: period_counts(projects, period))


def looked_at(today):
    """The counts of every open period, for those who see every project."""
    from diaodu.org.models import User

    everyone = User(role=Role.HEADQUARTERS, is_active=True)
    for period in ReportingPeriod.objects.open().order_by("pk"):
        projects = due_projects(period, everyone)
        yield (period.pk, "-"), (lambda p=period, q=projects: period_counts(q, p))


def watch() -> None:
    """What the counts read moves the kept figures' version on."""
    kept.watch(
        Project,
        ProgressReport,
        ReportingPeriod,
        Unit,
        Project.programs.through,
    )
    kept.register(FAMILY, looked_at)


class PeriodRows:
    """The rows of `projects` (a `due_projects` queryset, maybe filtered by `filing_q`) in the
    ledger's order, read only when sliced or iterated: a Paginator's object list. A slice sorts
    the projects' ids alone, then reads those projects and their reports of the period: three
    queries whatever its length. `count`, if known (`period_counts`), spares counting again."""

    def __init__(self, projects: QuerySet[Project], period, count: int | None = None):
        self.period = period
        self.projects = projects.order_by(*Project._meta.ordering)
        self.known_count = count

    def count(self) -> int:
        if self.known_count is None:
            self.known_count = self.projects.count()
        return self.known_count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        pks = list(self.projects.values_list("pk", flat=True)[index])
        found = Project.objects.select_related("region", "owner", "lead_unit").in_bulk(pks)
        reports = {
            r.project_id: r
            for r in ProgressReport.objects.filter(period=self.period, project__in=pks).order_by()
        }
        rows = []
        for pk in pks:
            report = reports.get(pk)
            if report is not None:
                report.period = self.period
            rows.append(Row(found[pk], report, filing_of(report)))
        return rows

    def __iter__(self):
        return iter(self[:])


def period_rows(period, user, program=None, filing=None) -> list[Row]:
    """Every project due in the period that the user may see (of `program`, and in the filing
    state `filing`, if given), with its report."""
    # Who submitted and who reviewed: the export shows them.
    reports = ProgressReport.objects.filter(period=period).select_related(
        "period", "submitted_by", "reviewed_by"
    )
    projects = due_projects(period, user, program)
    if filing:
        if filing not in Filing.values:
            return []
        projects = with_report(projects, period).filter(filing_q(filing, period))
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
