"""Investment derived from approved monthly reports: the one source of every investment figure.

A project files one monthly report per month whatever programmes it is in (update periods of
weekly programmes carry no investment), so each yuan is counted once. Every figure of investment
completed (a project's year to date and since start, the ledger's totals, the dashboard's cards
and curve, the indicators, the ranking, the bulletin and every export) is a sum over
`counted_reports()`, directly or through the `InvestmentSummary` rows built from it.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from diaodu.core import kept
from diaodu.reporting.choices import PeriodKind, ReportStatus
from diaodu.reporting.models import ProgressReport

ZERO = Decimal("0.00")


def counted_reports(
    *, year: int | None = None, until: date | None = None, statuses=(ReportStatus.APPROVED,)
):
    """The reports whose investment counts: approved monthly reports (of `year`, of months
    starting no later than `until`)."""
    reports = ProgressReport.objects.filter(period__kind=PeriodKind.MONTHLY, status__in=statuses)
    if year is not None:
        reports = reports.filter(period__start__gte=date(year, 1, 1))
        reports = reports.filter(period__start__lte=date(year, 12, 31))
    if until is not None:
        reports = reports.filter(period__start__lte=until)
    return reports


def invested_by_year(project_ids, *, statuses=(ReportStatus.APPROVED,)) -> dict:
    """project id → {year: investment} from its monthly reports."""
    rows = (
        counted_reports(statuses=statuses)
        .filter(project_id__in=project_ids)
        .values_list("project_id", "period__start")
        .order_by()
    )
    result: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for project_id, start, total in rows.annotate(total=Sum("invested")):
        result[project_id][start.year] = result[project_id].get(start.year, ZERO) + total
    return result


def project_totals(project, year: int) -> dict:
    """Year-to-date and since-start investment of one project, beside its annual plan."""
    by_year = invested_by_year([project.pk]).get(project.pk, {})
    year_to_date = by_year.get(year, ZERO)
    since_start = sum((v for y, v in by_year.items() if y <= year), ZERO)
    plan = next((p for p in project.annual_plans.all() if p.year == year), None)
    planned = plan.planned_investment if plan else None
    return {
        "year_to_date": year_to_date,
        "since_start": since_start,
        "planned": planned,
        "rate": (year_to_date / planned * 100) if planned else None,
    }


def filing_by_year(project_ids) -> dict:
    """(project id, year) → [monthly reports submitted, submitted on time]."""
    rows = ProgressReport.objects.filter(
        project_id__in=project_ids, period__kind=PeriodKind.MONTHLY, submitted_at__isnull=False
    ).values_list("project_id", "period__start", "submitted_at", "period__due_date")
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for project_id, start, submitted_at, due_date in rows:
        counted = counts[(project_id, start.year)]
        counted[0] += 1
        counted[1] += timezone.localdate(submitted_at) <= due_date
    return counts


CHUNK = 5000


def refresh_summaries(project_ids=None) -> int:
    """Rebuild the per-project, per-year summaries from the reports (in chunks of projects).

    Rows are upserted (INSERT … ON CONFLICT DO UPDATE) and only the rows no report supports any
    longer are deleted, so two refreshes of one project at once (two reports approved together,
    the daily job during the day's work) both succeed and leave the same figures.
    """
    from diaodu.projects.models import Project
    from diaodu.reporting.models import InvestmentSummary

    if project_ids is None:
        project_ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    project_ids = list(project_ids)
    written = 0
    for start in range(0, len(project_ids), CHUNK):
        ids = project_ids[start : start + CHUNK]
        invested = invested_by_year(ids)
        filing = filing_by_year(ids)
        keys = {(pid, year) for pid, years in invested.items() for year in years} | set(filing)
        rows = [
            InvestmentSummary(
                project_id=pid,
                year=year,
                invested=invested.get(pid, {}).get(year, ZERO),
                reports_submitted=filing.get((pid, year), [0, 0])[0],
                reports_on_time=filing.get((pid, year), [0, 0])[1],
            )
            for pid, year in sorted(keys)  # one order everywhere: concurrent upserts never deadlock
        ]
        InvestmentSummary.objects.bulk_create(
            rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["project", "year"],
            update_fields=["invested", "reports_submitted", "reports_on_time"],
        )
        stale = [
            pk
            for pk, pid, year in InvestmentSummary.objects.filter(project_id__in=ids).values_list(
                "pk", "project_id", "year"
            )
            if (pid, year) not in keys
        ]
        InvestmentSummary.objects.filter(pk__in=stale).delete()
        written += len(rows)
    kept.changed()  # upserted in bulk: no signal
    return written
