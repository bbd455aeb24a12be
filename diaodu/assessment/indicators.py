"""Indicators per unit for a month, quarter or year, computed from the data, never typed.

Regions and departments are measured separately. A project counts for the region it is in
(a street's projects for its district) and for the department that leads it. A problem counts
for its responsible unit, a task for its lead unit. Everything is read as it stood at the end
of the period (or today, for the period under way):

- investment: approved investment of the year's monthly reports by then (reporting.totals,
  the one source of every investment figure; every project's, planned or not, cancelled or
  not, so that the units' figures add up to the portfolio's), against the annual
  plan (investment_rate) and against the plan of the months up to then, 序时进度
  (schedule_rate), for projects being built (one completed or in operation since still
  counts for the year it was completed in);
- new starts: projects planned to start this year by then, and those actually started;
- milestones planned within the period, and those met by their date;
- problems and tasks: reported solved or done within the period, on time (by the deadline,
  however early) or late, and those not done by its end whose deadline had passed;
- monthly reports due within the period (one per project and month, whatever its programmes),
  while it was being built: submitted on time, late, or missing at its end (a draft or a
  returned report is missing);
- inspections within the period, and those that found fault (rated poor, or progress
  overstated by more than DIAODU_PROGRESS_GAP points);
- approvals (红黄码), for the department responsible for each: red, those completed within the
  period after their time limit and those still open at its end past it; yellow, those open at
  its end within DIAODU_APPROVAL_WARNING_DAYS working days of it (approval_timing).

The whole portfolio is read in a fixed number of queries, whatever the number of projects.
"""

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from diaodu.assessment.choices import Group, Indicator
from diaodu.assessment.periods import Window
from diaodu.core.dates import end_of, start_of
from diaodu.org.choices import UnitKind
from diaodu.org.models import Unit
from diaodu.projects.choices import Stage
from diaodu.projects.models import AnnualPlan, Milestone, PlanMonth, Program, Project
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod
from diaodu.reporting.totals import counted_reports

ZERO = Decimal("0")
HUNDRED = Decimal("100")
GROUP_KINDS = {Group.REGION: UnitKind.REGION, Group.DEPARTMENT: UnitKind.DEPARTMENT}


def rate(part, whole):
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole) * HUNDRED).quantize(Decimal("0.1"), ROUND_HALF_UP)


def as_json(values: Any) -> Any:
    """Indicator values as JSON holds them: rates and amounts as strings, counts as numbers."""
    if isinstance(values, dict):
        return {str(key): as_json(item) for key, item in values.items()}
    if values is None or isinstance(values, int | str):
        return values
    return str(values)


def _cents(amount) -> str:
    return str(Decimal(amount or 0).quantize(Decimal("0.01"), ROUND_HALF_UP))


def group_units(group: str) -> tuple[dict[int, Unit], dict[int, int]]:
    """The units ranked in a group, and every unit of that kind → the ranked unit it is under.

    A street under a district counts for the district; a unit of the group's kind under a unit
    of another kind is ranked on its own.
    """
    kind = GROUP_KINDS[group]
    units = {u.pk: u for u in Unit.objects.filter(kind=kind).order_by("sort_order", "name")}
    top_of: dict[int, int] = {}
    for pk, unit in units.items():
        current = unit
        while current.parent_id in units:
            current = units[current.parent_id]
        top_of[pk] = current.pk
    ranked = {pk: unit for pk, unit in units.items() if top_of[pk] == pk}
    return ranked, top_of


def period_end(window: Window, today: date | None = None) -> date:
    """The day the period is read at: its last day, or today while it is under way."""
    today = today or timezone.localdate()
    return min(window.end, today)


def compute(window: Window, group: str, today: date | None = None) -> dict[int, dict]:
    """unit id → {indicator code: value} for the ranked units of a group that have any data.

    Rates are Decimals with one decimal (None when there is nothing to measure); counts are
    integers.
    """
    units, top_of = group_units(group)
    field = "region_id" if group == Group.REGION else "lead_unit_id"
    rows = Project.objects.values_list("pk", field, "stage", "actual_completion")
    projects = {
        pk: (top_of[unit], stage, completed)
        for pk, unit, stage, completed in rows.order_by()
        if unit in top_of
    }
    counted = _measure(window, today, projects, top_of.get)
    return {unit_id: _finish(values) for unit_id, values in counted.items() if unit_id in units}


def portfolio(window: Window, today: date | None = None) -> dict:
    """The same indicators for the whole portfolio, city-level projects included."""
    rows = Project.objects.values_list("pk", "stage", "actual_completion")
    projects = {pk: (0, stage, completed) for pk, stage, completed in rows.order_by()}
    counted = _measure(window, today, projects, lambda unit_id: 0)
    return _finish(counted[0])


def building_on(stage, completed, day: date) -> bool:
    """Whether a project was being built (so planned, invested and reported) on a day.

    Today's stage says it for projects still being built; a project completed or in operation
    since was still being built before its completion date (an unknown date: it was not).
    """
    if stage in (Stage.RESERVE, Stage.CANCELLED):
        return False
    if stage in (Stage.COMPLETED, Stage.OPERATING):
        return completed is not None and completed >= day
    return True


def _measure(window, today, projects: dict[int, tuple], owner_of) -> dict:
    """Count everything per owner. `projects` maps a project to (its owner, its stage, its
    completion date); `owner_of` maps a problem's or a task's unit to its owner (None for
    none)."""
    start, end = window.start, period_end(window, today)
    values: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    project_unit, building, investing = {}, set(), {}
    year_start = date(window.year, 1, 1)
    for pk, (owner, stage, completed) in list(projects.items()):
        # A cancelled project counts only for the investment it completed.
        investing[pk] = owner
        if stage == Stage.CANCELLED:
            del projects[pk]
            continue
        project_unit[pk] = owner
        values[owner]["projects"] += 1
        if building_on(stage, completed, year_start):
            building.add(pk)
    _investment(values, investing, building, window.year, end)
    _starts(values, project_unit, window.year, end)
    _milestones(values, project_unit, start, end)
    _problems_and_tasks(values, owner_of, start, end)
    _reports(values, projects, start, end)
    _inspections(values, project_unit, start, end)
    _approvals(values, owner_of, start, end)
    return values


def _finish(counted: dict) -> dict:
    due_items = sum(
        counted[key]
        for key in (
            "problems_on_time",
            "problems_late",
            "problems_overdue",
            "tasks_on_time",
            "tasks_late",
            "tasks_overdue",
        )
    )
    reports_due = counted["reports_on_time"] + counted["reports_late"] + counted["reports_missing"]
    return {
        Indicator.INVESTMENT_RATE: rate(counted["invested"], counted["planned"]),
        Indicator.SCHEDULE_RATE: rate(counted["invested"], counted["planned_to_date"]),
        Indicator.START_RATE: rate(counted["started"], counted["starts_planned"]),
        Indicator.MILESTONE_RATE: rate(counted["milestones_met"], counted["milestones_due"]),
        Indicator.PROBLEMS_ON_TIME: counted["problems_on_time"],
        Indicator.PROBLEMS_LATE: counted["problems_late"],
        Indicator.PROBLEMS_OVERDUE: counted["problems_overdue"],
        Indicator.TASKS_ON_TIME: counted["tasks_on_time"],
        Indicator.TASKS_LATE: counted["tasks_late"],
        Indicator.TASKS_OVERDUE: counted["tasks_overdue"],
        Indicator.CLOSURE_RATE: rate(
            counted["problems_on_time"] + counted["tasks_on_time"], due_items
        ),
        Indicator.REPORTS_ON_TIME: counted["reports_on_time"],
        Indicator.REPORTS_LATE: counted["reports_late"],
        Indicator.REPORTS_MISSING: counted["reports_missing"],
        Indicator.REPORTING_RATE: rate(counted["reports_on_time"], reports_due),
        Indicator.INSPECTIONS: counted["inspections"],
        Indicator.INSPECTION_FINDINGS: counted["inspection_findings"],
        Indicator.APPROVALS_RED: counted["approvals_red"],
        Indicator.APPROVALS_YELLOW: counted["approvals_yellow"],
        # The figures behind the rates, for the explanation.
        "facts": {
            "projects": counted["projects"],
            "planned": _cents(counted["planned"]),
            "planned_to_date": _cents(counted["planned_to_date"]),
            "invested": _cents(counted["invested"]),
            "starts_planned": counted["starts_planned"],
            "started": counted["started"],
            "milestones_due": counted["milestones_due"],
            "milestones_met": counted["milestones_met"],
            "reports_due": reports_due,
        },
    }


def _investment(values, project_unit, building, year, end):
    """The year's plan, its months up to the end, and approved investment up to the end."""
    # The months counted in 序时进度: those finished by the end day.
    months_done = end.month if end.year == year else 12
    if end.year == year and end.day < _last_day(end):
        months_done -= 1
    plans = dict(
        AnnualPlan.objects.filter(year=year).values_list("project_id", "planned_investment")
    )
    monthly = {
        project_id: (n, total or ZERO)
        for project_id, n, total in PlanMonth.objects.filter(plan__year=year)
        .order_by()
        .values_list("plan__project_id")
        .annotate(n=Count("pk"), s=Sum("planned_investment", filter=Q(month__lte=months_done)))
    }
    # Every investment figure comes from the approved monthly reports (reporting.totals).
    invested = dict(
        counted_reports(year=year, until=end)
        .order_by()
        .values_list("project_id")
        .annotate(s=Sum("invested"))
    )
    # Investment completed counts whatever the project's plan: every yuan is in some unit.
    for project_id, total in invested.items():
        if project_id in project_unit:
            unit = values[project_unit[project_id]]
            unit["invested"] = (unit["invested"] or ZERO) + total
    for project_id in building:
        planned = plans.get(project_id)
        if not planned:
            continue
        unit = values[project_unit[project_id]]
        unit["planned"] = unit["planned"] or ZERO
        unit["planned"] += planned
        n, to_date = monthly.get(project_id, (0, ZERO))
        if not n:
            to_date = planned * months_done / 12
        unit["planned_to_date"] = (unit["planned_to_date"] or ZERO) + to_date


def _last_day(day: date) -> int:
    import calendar

    return calendar.monthrange(day.year, day.month)[1]


def _starts(values, project_unit, year, end):
    for project_id, actual_start in (
        Project.objects.filter(planned_start__gte=date(year, 1, 1), planned_start__lte=end)
        .exclude(stage__in=[Stage.CANCELLED, Stage.RESERVE])
        .values_list("pk", "actual_start")
    ):
        if project_id in project_unit:
            unit = values[project_unit[project_id]]
            unit["starts_planned"] += 1
            unit["started"] += actual_start is not None and actual_start <= end


def _milestones(values, project_unit, start, end):
    for project_id, planned_date, actual_date in Milestone.objects.filter(
        planned_date__gte=start, planned_date__lte=end
    ).values_list("project_id", "planned_date", "actual_date"):
        if project_id in project_unit:
            unit = values[project_unit[project_id]]
            unit["milestones_due"] += 1
            unit["milestones_met"] += actual_date is not None and actual_date <= planned_date


def _problems_and_tasks(values, owner_of, start, end):
    from diaodu.problems.models import Problem, Task

    since, until = start_of(start), end_of(end)
    for model, unit_field, done_field, prefix in (
        (Problem, "responsible_unit_id", "solved_at", "problems"),
        (Task, "lead_unit_id", "done_at", "tasks"),
    ):
        done_within = Q(**{f"{done_field}__gte": since, f"{done_field}__lt": until})
        not_done_then = Q(**{f"{done_field}__isnull": True}) | Q(**{f"{done_field}__gte": until})
        rows = model.objects.filter(done_within | (not_done_then & Q(deadline__lt=end)))
        for unit_id, deadline, done_at in rows.values_list(unit_field, "deadline", done_field):
            owner = owner_of(unit_id)
            if owner is None:
                continue
            done = timezone.localdate(done_at) if done_at else None
            unit = values[owner]
            if done is not None and start <= done <= end:
                unit[f"{prefix}_on_time" if done <= deadline else f"{prefix}_late"] += 1
            else:
                unit[f"{prefix}_overdue"] += 1


def _reports(values, projects, start, end):
    """Monthly reports due within the period: every project in a programme of the month's
    year owes one while it is being built (progress updates are not counted here)."""
    periods = {
        pk: (period_start, due_date)
        for pk, period_start, due_date in ReportingPeriod.objects.monthly()
        .filter(due_date__gte=start, due_date__lte=end)
        .values_list("pk", "start", "due_date")
    }
    if not periods:
        return
    members = set(
        Program.projects.through.objects.filter(
            program__year__in={s.year for s, _d in periods.values()}
        )
        .order_by()
        .values_list("project_id", "program__year")
    )
    expected = defaultdict(list)  # project → periods it owes
    for project_id, year in members:
        if project_id not in projects:
            continue
        _owner, stage, completed = projects[project_id]
        for period_id, (period_start, _due) in periods.items():
            if period_start.year == year and building_on(stage, completed, period_start):
                expected[project_id].append(period_id)
    submitted = {
        (project_id, period_id): submitted_at
        for project_id, period_id, submitted_at in ProgressReport.objects.filter(
            period_id__in=list(periods),
            submitted_at__isnull=False,
            status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED],
        )
        .order_by()
        .values_list("project_id", "period_id", "submitted_at")
    }
    for project_id, period_ids in expected.items():
        unit = values[projects[project_id][0]]
        for period_id in period_ids:
            at = submitted.get((project_id, period_id))
            day = timezone.localdate(at) if at else None
            if day is None or day > end:
                unit["reports_missing"] += 1
            elif day <= periods[period_id][1]:
                unit["reports_on_time"] += 1
            else:
                unit["reports_late"] += 1


def _inspections(values, project_unit, start, end):
    from diaodu.inspections.choices import Rating
    from diaodu.inspections.models import Inspection

    gap = settings.DIAODU_PROGRESS_GAP
    for project_id, rating, progress_gap in Inspection.objects.filter(
        date__gte=start, date__lte=end
    ).values_list("project_id", "rating", "progress_gap"):
        if project_id in project_unit:
            unit = values[project_unit[project_id]]
            unit["inspections"] += 1
            unit["inspection_findings"] += rating == Rating.POOR or (
                progress_gap is not None and progress_gap > gap
            )


def _approvals(values, owner_of, start, end):
    """Red and yellow approvals (红黄码) per responsible department, as they stood at the end."""
    from diaodu.core.choices import Light
    from diaodu.core.workdays import working_days_between
    from diaodu.projects.approval_timing import timing
    from diaodu.projects.choices import ApprovalStatus
    from diaodu.projects.models import Approval

    for unit_id, applied_on, limit, completed_on in (
        Approval.objects.filter(
            status__in=[ApprovalStatus.IN_PROGRESS, ApprovalStatus.DONE],
            applied_on__lte=end,
            time_limit_days__isnull=False,
        )
        .exclude(completed_on__lt=start)
        .order_by()
        .values_list("responsible_department_id", "applied_on", "time_limit_days", "completed_on")
    ):
        owner = owner_of(unit_id)
        if owner is None:
            continue
        if completed_on is not None and completed_on <= end:  # completed within the period
            if working_days_between(applied_on, completed_on) > limit:
                values[owner]["approvals_red"] += 1
            continue
        light = timing(applied_on, limit, end).light
        if light == Light.RED:
            values[owner]["approvals_red"] += 1
        elif light == Light.YELLOW:
            values[owner]["approvals_yellow"] += 1
