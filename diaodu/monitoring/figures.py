"""The dashboard's figures for a user's scope, a year and optionally a programme.

A fixed number of queries whatever the number of projects: every figure is an aggregate. They
are kept (diaodu/core/kept.py) per scope, year and programme: what a user sees is decided by
their role and unit alone (`scope_of`), so everyone of headquarters, leaders and inspectors reads
the same figures, and the people of a region theirs. The queue computes headquarters' (the year,
and each of its programmes) and every region's right after a change.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from diaodu.core import kept
from diaodu.core.choices import Light
from diaodu.inspections.models import Inspection
from diaodu.org.models import Unit
from diaodu.problems.models import Problem, Task
from diaodu.problems.warnings import overdue
from diaodu.projects.choices import Stage
from diaodu.projects.models import AnnualPlan, PlanMonth, Project
from diaodu.reporting.models import (
    InvestmentSummary,
    MonthSnapshot,
    ProjectSnapshot,
    ReportingPeriod,
)
from diaodu.reporting.totals import counted_reports

ZERO = Decimal("0.00")
OVERSTATED_SHOWN = 10


FAMILY = "dashboard"


def scope_of(user) -> tuple:
    """What decides what a user sees: everything, or their role and unit."""
    if not user.is_authenticated or not user.is_active:
        return ("nobody",)
    if user.sees_everything:
        return ("all",)
    return (user.role, user.unit_id)


def stand_in(scope: tuple):
    """An unsaved user of a scope, who sees what its people see: for the queue."""
    from diaodu.org.choices import Role
    from diaodu.org.models import User

    if scope == ("all",):
        return User(role=Role.HEADQUARTERS, is_active=True)
    role, unit_id = scope
    return User(role=role, unit_id=unit_id, is_active=True)


def figures(user, year: int, program=None) -> dict:
    """The dashboard's figures, kept until the data or the day changes; while the queue
    computes those of a change, the last ones for up to kept.A_WHILE."""
    scope = scope_of(user)
    program_id = program.pk if program is not None else None
    return kept.read(
        FAMILY,
        (*scope, year, program_id or "-"),
        lambda: compute(user, year, program),
        stale_for=kept.A_WHILE,
    )


def looked_at(today):
    """The dashboards people open most: headquarters' this year (all and by programme) and
    each region's, for the people of a region."""
    from diaodu.org.choices import Role
    from diaodu.org.models import User
    from diaodu.projects.models import Program

    scopes = [("all",)] + [
        (Role.REGION.value, unit_id)
        for unit_id in User.objects.filter(role=Role.REGION, is_active=True, unit__isnull=False)
        .order_by("unit_id")
        .values_list("unit_id", flat=True)
        .distinct()
    ]
    year = today.year
    hq = stand_in(("all",))
    for program in Program.objects.filter(year=year).order_by("pk"):
        yield ("all", year, program.pk), (lambda p=program: compute(hq, year, p))
    for scope in scopes:
        user = stand_in(scope)
        yield (*scope, year, "-"), (lambda u=user: compute(u, year))


def compute(user, year: int, program=None) -> dict:
    today = timezone.localdate()
    projects = Project.objects.visible_to(user)
    if program is not None:
        projects = projects.filter(programs=program)
    ids = projects.order_by().values("pk")
    # Headquarters' whole portfolio needs no filter by project: every row counts.
    whole = not projects.query.where  # as the ledger's totals decide it

    def scoped(queryset, path="project"):
        return queryset if whole else queryset.filter(**{f"{path}__in": ids})

    by_stage = dict(projects.order_by().values_list("stage").annotate(n=Count("pk")))
    by_light = dict(projects.order_by().values_list("light").annotate(n=Count("pk")))
    # A past year's lights as they were at its last month kept (reporting/snapshots.py).
    lights_month = (
        MonthSnapshot.objects.filter(month__year=year).aggregate(m=Max("month"))["m"]
        if year < today.year
        else None
    )
    if lights_month is not None:  # and its stages: a project finished since counts as it was
        kept_rows = scoped(ProjectSnapshot.objects.filter(snapshot__month=lights_month)).order_by()
        by_light = dict(kept_rows.values_list("light").annotate(n=Count("pk")))
        by_stage = dict(kept_rows.values_list("stage").annotate(n=Count("pk")))
    total = projects.aggregate(n=Count("pk"), investment=Sum("total_investment"))
    planned = (
        scoped(AnnualPlan.objects.filter(year=year)).aggregate(s=Sum("planned_investment"))["s"]
        or ZERO
    )
    # The summary per project and year: investment, and reports submitted and on time.
    summed = scoped(InvestmentSummary.objects.filter(year=year)).aggregate(
        invested=Sum("invested"),
        submitted=Sum("reports_submitted"),
        on_time=Sum("reports_on_time"),
    )
    invested = summed["invested"] or ZERO
    submitted, on_time = summed["submitted"] or 0, summed["on_time"] or 0
    months = dict(
        scoped(PlanMonth.objects.filter(plan__year=year), "plan__project")
        .values_list("month")
        .annotate(s=Sum("planned_investment"))
        .order_by()
    )
    due = sum((v for m, v in months.items() if m < today.month or year < today.year), ZERO)
    # The year's monthly periods are few: reports are grouped by period id, periods read here.
    month_of = dict(
        ReportingPeriod.objects.monthly().filter(start__year=year).values_list("pk", "start__month")
    )
    actual = defaultdict(lambda: ZERO)
    for period_id, amount in (
        scoped(counted_reports(year=year))
        .filter(period_id__in=list(month_of))
        .values_list("period_id")
        .annotate(s=Sum("invested"))
        .order_by()
    ):
        actual[month_of[period_id]] += amount
    curve, plan_sum, actual_sum = [], ZERO, ZERO
    for month in range(1, 13):
        plan_sum += months.get(month, ZERO)
        actual_sum += actual.get(month, ZERO)
        curve.append(
            {
                "month": month,
                "plan": plan_sum,
                "actual": actual_sum if (year, month) <= (today.year, today.month) else None,
            }
        )
    starts = projects.filter(planned_start__year=year).aggregate(
        planned=Count("pk"), started=Count("pk", filter=Q(actual_start__isnull=False))
    )
    problems = scoped(Problem.objects.visible_to(user)).open()
    tasks = scoped(Task.objects.visible_to(user)).open()
    # Regions and lead units: grouped by id (cheap), named from the unit table afterwards.
    regions = list(
        projects.exclude(region=None)
        .order_by()
        .values("region_id")
        .annotate(
            n=Count("pk"),
            investment=Sum("total_investment"),
            red=Count("pk", filter=Q(light=Light.RED)),
            yellow=Count("pk", filter=Q(light=Light.YELLOW)),
        )
    )
    region_plan = dict(
        scoped(AnnualPlan.objects.filter(year=year))
        .order_by()
        .values_list("project__region_id")
        .annotate(s=Sum("planned_investment"))
    )
    region_done = dict(
        scoped(InvestmentSummary.objects.filter(year=year))
        .order_by()
        .values_list("project__region_id")
        .annotate(s=Sum("invested"))
    )
    departments = list(
        projects.exclude(lead_unit=None)
        .order_by()
        .values("lead_unit_id")
        .annotate(n=Count("pk"), red=Count("pk", filter=Q(light=Light.RED)))
    )
    units = {
        pk: (name, order)
        for pk, name, order in Unit.objects.filter(
            pk__in={r["region_id"] for r in regions} | {d["lead_unit_id"] for d in departments}
        ).values_list("pk", "name", "sort_order")
    }
    regions.sort(key=lambda r: (units[r["region_id"]][1], units[r["region_id"]][0]))
    for row in regions:
        row["region__name"] = units[row["region_id"]][0]
        row["planned"] = region_plan.get(row["region_id"], ZERO)
        row["invested"] = region_done.get(row["region_id"], ZERO)
    for row in departments:
        row["lead_unit__name"] = units[row["lead_unit_id"]][0]
    departments.sort(key=lambda d: (-d["n"], d["lead_unit__name"]))
    # Projects whose latest inspection saw clearly less than reported: one query, the
    # latest-inspection subquery only run for the few overstated inspections.
    latest = (
        Inspection.objects.filter(project=OuterRef("project"))
        .order_by("-date", "-id")
        .values("pk")[:1]
    )
    overstated = list(
        scoped(Inspection.objects.overstated())
        .filter(pk=Subquery(latest))
        .order_by("-progress_gap", "-date", "-id")
        .values(
            "project_id",
            "date",
            "reported_percent",
            "verified_percent",
            "progress_gap",
            inspection_id=F("pk"),
            project_name=F("project__name"),
        )[: OVERSTATED_SHOWN + 1]
    )
    return {
        "year": year,
        "projects": total["n"],
        "total_investment": total["investment"] or ZERO,
        "stages": [(stage.value, stage.label, by_stage.get(stage.value, 0)) for stage in Stage],
        "lights": [(light.value, light.label, by_light.get(light.value, 0)) for light in Light],
        "lights_month": lights_month,
        "planned": planned,
        "invested": invested,
        "rate": invested / planned * 100 if planned else None,
        "due_rate": due / planned * 100 if planned else None,
        "starts": starts,
        "problems_open": problems.count(),
        "problems_overdue": overdue(problems, today).count(),
        "tasks_open": tasks.count(),
        "tasks_overdue": overdue(tasks, today).count(),
        "reports_submitted": submitted,
        "reports_on_time": on_time,
        "curve": curve,
        "regions": regions,
        "departments": departments[:15],
        "overstated": overstated[:OVERSTATED_SHOWN],
        "overstated_more": len(overstated) > OVERSTATED_SHOWN,
    }
