"""Investment derived from approved reports: year to date and since the start.

A project may be in several programmes with different cadences (a weekly 三十工程 and a monthly
省重点); each files its own reports, which cover the same days. To count every yuan once, a
project's investment is taken from one programme per year: the one with the longest cadence
(monthly before biweekly before weekly, then the lowest id).
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from diaodu.projects.choices import Cadence
from diaodu.projects.models import Program
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport

CADENCE_RANK = {Cadence.MONTHLY: 0, Cadence.BIWEEKLY: 1, Cadence.WEEKLY: 2}
ZERO = Decimal("0.00")


def stream_programs(project_ids) -> dict[tuple[int, int], int]:
    """(project id, year) → the programme whose reports count for that year's investment."""
    through = Program.projects.through.objects.filter(project_id__in=project_ids)
    rows = through.values_list("project_id", "program__year", "program__cadence", "program_id")
    best: dict[tuple[int, int], tuple] = {}
    for project_id, year, cadence, program_id in rows:
        key = (project_id, year)
        rank = (CADENCE_RANK.get(cadence, 9), program_id)
        if key not in best or rank < best[key]:
            best[key] = rank
    return {key: rank[1] for key, rank in best.items()}


def invested_by_year(project_ids, *, statuses=(ReportStatus.APPROVED,)) -> dict:
    """project id → {year: investment} from its counting programme's reports."""
    streams = stream_programs(project_ids)
    rows = (
        ProgressReport.objects.filter(project_id__in=project_ids, status__in=statuses)
        .values_list("project_id", "period__program_id", "period__program__year")
        .annotate(total=Sum("invested"))
    )
    result: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for project_id, program_id, year, total in rows:
        if streams.get((project_id, year)) == program_id:
            result[project_id][year] = result[project_id].get(year, ZERO) + total
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
    """(project id, year) → [reports submitted, submitted on time], of the counting programme."""
    streams = stream_programs(project_ids)
    rows = ProgressReport.objects.filter(
        project_id__in=project_ids, submitted_at__isnull=False
    ).values_list("project_id", "period__program_id", "period__program__year", "submitted_at",
                  "period__due_date")  # fmt: skip
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for project_id, program_id, year, submitted_at, due_date in rows:
        if streams.get((project_id, year)) == program_id:
            counted = counts[(project_id, year)]
            counted[0] += 1
            counted[1] += timezone.localdate(submitted_at) <= due_date
    return counts


CHUNK = 5000


def refresh_summaries(project_ids=None) -> int:
    """Rebuild the per-project, per-year summaries from the reports (in chunks of projects)."""
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
        InvestmentSummary.objects.filter(project_id__in=ids).delete()
        rows = [
            InvestmentSummary(
                project_id=pid,
                year=year,
                invested=invested.get(pid, {}).get(year, ZERO),
                reports_submitted=filing.get((pid, year), [0, 0])[0],
                reports_on_time=filing.get((pid, year), [0, 0])[1],
            )
            for pid, year in sorted(keys)
        ]
        InvestmentSummary.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    return written
