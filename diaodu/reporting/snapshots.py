"""Month snapshots: every project's state at the close of a month, kept and read back.

`facts()` counts, for many projects at once and as of a day, what a snapshot keeps besides the
light: investment this year and since the start (approved monthly reports of months ended by
then), the plan and the plan to date, the physical progress last reported, milestones due, met
and overdue, problems and tasks open and overdue. `do_store_month()` writes a month's rows in
one transaction, refusing a month already published; the lights and forecasts it stores are
computed by the supervision layer (`diaodu.monitoring.snapshots`), which takes the snapshots.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.core import kept
from diaodu.problems.choices import ProblemStatus, TaskStatus
from diaodu.problems.models import Problem, Task
from diaodu.projects.models import ZERO, Milestone, PlanMonth, Project
from diaodu.reporting.choices import PeriodKind, ReportStatus
from diaodu.reporting.models import (
    InvestmentSummary,
    MonthSnapshot,
    ProgressReport,
    ProjectSnapshot,
    ReportingPeriod,
)

BATCH = 2000


def first_of(day: date) -> date:
    return day.replace(day=1)


def last_of(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def parse_month(text: str) -> date:
    """2026-10 (or 2026-10-31) as the first day of that month; a ValidationError otherwise."""
    try:
        year, month = (int(part) for part in str(text).strip().split("-")[:2])
        return date(year, month, 1)
    except (TypeError, ValueError):
        raise ValidationError(
            _("“%(value)s” is not a month; write it as 2026-10.") % {"value": text}
        ) from None


@dataclass
class Facts:
    """What a snapshot keeps of one project besides its light and forecast."""

    invested_year: Decimal = ZERO
    invested_total: Decimal = ZERO
    planned_year: Decimal = ZERO
    planned_to_date: Decimal = ZERO
    physical_percent: Decimal | None = None
    milestones_due: int = 0
    milestones_met: int = 0
    milestones_overdue: int = 0
    open_problems: int = 0
    open_tasks: int = 0
    overdue_tasks: int = 0


def facts(project_ids: list[int] | None, as_of: date) -> dict[int, Facts]:
    """The facts of these projects (None: of every project) as of the end of `as_of`, in a
    fixed number of queries."""
    found: dict[int, Facts] = defaultdict(Facts)
    if project_ids is not None:
        if not project_ids:
            return {}
        found.update({pk: Facts() for pk in project_ids})

    def of(queryset, field="project_id"):
        return queryset if project_ids is None else queryset.filter(**{f"{field}__in": project_ids})

    cutoff = end_of_day(as_of)
    # The periods by their ids (a few hundred), so that the reports (millions) are read
    # without a join.
    periods = list(
        ReportingPeriod.objects.filter(end__lte=as_of).values_list("pk", "kind", "start", "end")
    )
    this_year = [
        pk
        for pk, kind, start, _end in periods
        if kind == PeriodKind.MONTHLY and start.year == as_of.year
    ]
    recent = [pk for pk, _kind, _start, end in periods if end > as_of - timedelta(days=366)]
    approved = of(ProgressReport.objects.filter(status=ReportStatus.APPROVED))
    for pk, total in (
        approved.filter(period_id__in=this_year)
        .values("project_id")
        .annotate(total=Sum("invested"))
        .values_list("project_id", "total")
    ):
        found[pk].invested_year = found[pk].invested_total = total or ZERO
    # The years before, from the summaries the reporting services keep of each year.
    for pk, total in (
        of(InvestmentSummary.objects.filter(year__lt=as_of.year))
        .values("project_id")
        .annotate(total=Sum("invested"))
        .values_list("project_id", "total")
    ):
        found[pk].invested_total += total or ZERO
    # Physical progress as last reported, within the twelve months before.
    latest = (
        approved.filter(period_id__in=recent, physical_percent__isnull=False)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("project_id")],
                order_by=[F("period__end").desc(), F("pk").desc()],
            )
        )
        .filter(place=1)
        .values_list("project_id", "physical_percent")
    )
    for pk, percent in latest:
        found[pk].physical_percent = percent
    for pk, month, amount in of(
        PlanMonth.objects.filter(plan__year=as_of.year), "plan__project_id"
    ).values_list("plan__project_id", "month", "planned_investment"):
        found[pk].planned_year += amount
        if month <= as_of.month:
            found[pk].planned_to_date += amount
    for row in (
        of(Milestone.objects.filter(planned_date__lte=as_of))
        .values("project_id")
        .annotate(
            due=Count("pk"),
            met=Count("pk", filter=Q(actual_date__lte=as_of)),
            overdue=Count(
                "pk",
                filter=Q(planned_date__lt=as_of)
                & (Q(actual_date__isnull=True) | Q(actual_date__gt=as_of)),
            ),
        )
    ):
        item = found[row["project_id"]]
        item.milestones_due, item.milestones_met = row["due"], row["met"]
        item.milestones_overdue = row["overdue"]
    open_problems = (
        of(Problem.objects.filter(created_at__lte=cutoff))
        .filter(
            Q(verified_at__isnull=True, status__in=_open(ProblemStatus)) | Q(verified_at__gt=cutoff)
        )
        .values("project_id")
        .annotate(n=Count("pk"))
        .values_list("project_id", "n")
    )
    for pk, count in open_problems:
        found[pk].open_problems = count
    for pk, count, overdue in (
        of(Task.objects.filter(created_at__lte=cutoff))
        .filter(Q(done_at__isnull=True) & ~Q(status=TaskStatus.VERIFIED) | Q(done_at__gt=cutoff))
        .values("project_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(deadline__lt=as_of)))
        .values_list("project_id", "n", "late")
    ):
        found[pk].open_tasks, found[pk].overdue_tasks = count, overdue
    return found


def _open(statuses) -> list[str]:
    return [value for value in statuses.values if value != statuses.VERIFIED]


@dataclass
class Row:
    """A project's row for a month, as the supervision layer computed it."""

    project_id: int
    stage: str
    region_id: int | None
    light: str
    light_reasons: list
    facts: Facts
    spi: Decimal | None = None
    cpi: Decimal | None = None
    forecast_finish: date | None = None


@transaction.atomic
def do_store_month(
    month: date, rows: list[Row], *, rebuilt: bool, rules_version: str
) -> MonthSnapshot:
    """Keep a month's snapshot (its rows replacing any earlier ones of the month), in one
    transaction; a month already published is kept as it is and refused."""
    month = first_of(month)
    snapshot = MonthSnapshot.objects.select_for_update().filter(month=month).first()
    if snapshot is not None and snapshot.published_at is not None:
        raise ValidationError(
            _("The snapshot of %(month)s was published on %(day)s and is kept as it is.")
            % {
                "month": f"{month:%Y-%m}",
                "day": f"{timezone.localtime(snapshot.published_at):%Y-%m-%d}",
            }
        )
    if snapshot is None:
        snapshot = MonthSnapshot(month=month)
    snapshot.taken_at = timezone.now()
    snapshot.projects = len(rows)
    snapshot.rebuilt = rebuilt
    snapshot.rules_version = rules_version
    snapshot.save()
    ProjectSnapshot.objects.filter(snapshot=snapshot).delete()
    ProjectSnapshot.objects.bulk_create(
        [
            ProjectSnapshot(
                snapshot=snapshot,
                project_id=row.project_id,
                stage=row.stage,
                region_id=row.region_id,
                light=row.light,
                light_reasons=row.light_reasons,
                invested_year=row.facts.invested_year,
                invested_total=row.facts.invested_total,
                planned_year=row.facts.planned_year,
                planned_to_date=row.facts.planned_to_date,
                physical_percent=row.facts.physical_percent,
                milestones_due=row.facts.milestones_due,
                milestones_met=row.facts.milestones_met,
                milestones_overdue=row.facts.milestones_overdue,
                open_problems=row.facts.open_problems,
                open_tasks=row.facts.open_tasks,
                overdue_tasks=row.facts.overdue_tasks,
                spi=row.spi,
                cpi=row.cpi,
                forecast_finish=row.forecast_finish,
            )
            for row in rows
        ],
        batch_size=BATCH,
    )
    kept.changed()  # the rows above are written in bulk: no signal
    return snapshot


def do_publish_month(month: date) -> MonthSnapshot | None:
    """Mark a month's snapshot published (its bulletin was issued): kept as it is from now on."""
    updated = MonthSnapshot.objects.filter(month=first_of(month), published_at__isnull=True)
    updated.update(published_at=timezone.now())
    return MonthSnapshot.objects.filter(month=first_of(month)).first()


def snapshot_of(month: date) -> MonthSnapshot | None:
    return MonthSnapshot.objects.filter(month=first_of(month)).first()


def lights_of(month: date, project_ids=None) -> dict[int, tuple[str, list]] | None:
    """Each project's light and reasons at the close of a month, or None without a snapshot."""
    rows = ProjectSnapshot.objects.filter(snapshot__month=first_of(month))
    if project_ids is not None:
        rows = rows.filter(project_id__in=project_ids)
    found = {
        pk: (light, reasons)
        for pk, light, reasons in rows.values_list("project_id", "light", "light_reasons")
    }
    if not found and snapshot_of(month) is None:
        return None
    return found


def trend(project: Project, months: int = 24) -> list[ProjectSnapshot]:
    """A project's rows of the last `months` snapshots, oldest first."""
    rows = (
        ProjectSnapshot.objects.filter(project=project)
        .select_related("snapshot")
        .order_by("-snapshot__month")[:months]
    )
    return list(reversed(rows))


def months_kept() -> list[date]:
    return list(MonthSnapshot.objects.order_by("month").values_list("month", flat=True))


def closed_by(day: date) -> date:
    """The last month whose close is on or before `day`: its own month on its last day, else
    the month before."""
    return first_of(day) if day == last_of(day) else first_of(first_of(day) - timedelta(days=1))


def last_closed_month(today: date | None = None) -> date:
    """The last month that has closed by `today` (the month before today's)."""
    today = today or timezone.localdate()
    return first_of(first_of(today) - timedelta(days=1))
