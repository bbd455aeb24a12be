"""What changed between two days, for the projects a reader sees: "since the last meeting" on
a meeting's page and agenda, and any two months on `/changes/`.

Lights are compared as they were: before, at the last close of a month on or before the
earlier day (the snapshot of that month, see `snapshots.py`); after, at the later day, from
the snapshot of its month if that month has closed, else the live lights. Everything else is
read from the dated records between the two days: problems raised, solved and escalated, tasks
that became overdue, milestones met and missed, and the investment of the monthly periods that
ended, by region. A fixed number of queries.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.core.choices import Light
from diaodu.problems.models import Problem, Task
from diaodu.projects.models import ZERO, Milestone, Project
from diaodu.reporting import snapshots
from diaodu.reporting.choices import PeriodKind, ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod

RANK = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}
# What the page, the meeting's page and the API show of each record (and of its project, the
# name): thousands of records over a few months, each read without the project's every column.
PROBLEM_FIELDS = ["description", "project", "level", "status", "created_at", "verified_at",
                  "escalated_at"]  # fmt: skip
TASK_FIELDS = ["content", "project", "lead_unit", "deadline", "status"]
MILESTONE_FIELDS = ["name", "project", "planned_date", "actual_date"]


@dataclass
class LightChange:
    project: Project
    before: str
    after: str
    reasons: list[str]

    @property
    def worse(self) -> bool:
        return RANK.get(self.after, 0) > RANK.get(self.before, 0)

    @property
    def before_label(self) -> str:
        return Light(self.before).label

    @property
    def after_label(self) -> str:
        return Light(self.after).label


@dataclass
class RegionInvestment:
    region: str
    invested: Decimal


@dataclass
class Changes:
    start: date
    end: date
    # The month whose close gave the lights before (the last closed by `start`), and whether
    # its snapshot was kept; if not, no light change can be told.
    lights_month: date | None = None
    lights_known: bool = False
    lights: list[LightChange] = field(default_factory=list)
    problems_raised: list[Problem] = field(default_factory=list)
    problems_solved: list[Problem] = field(default_factory=list)
    problems_escalated: list[Problem] = field(default_factory=list)
    tasks_overdue: list[Task] = field(default_factory=list)
    milestones_met: list[Milestone] = field(default_factory=list)
    milestones_missed: list[Milestone] = field(default_factory=list)
    investment: list[RegionInvestment] = field(default_factory=list)

    @property
    def invested(self) -> Decimal:
        return sum((item.invested for item in self.investment), ZERO)

    @property
    def turned_red(self) -> list[LightChange]:
        return [c for c in self.lights if c.after == Light.RED]

    @property
    def is_empty(self) -> bool:
        return not (
            self.lights
            or self.problems_raised
            or self.problems_solved
            or self.problems_escalated
            or self.tasks_overdue
            or self.milestones_met
            or self.milestones_missed
            or self.investment
        )

    def as_dict(self) -> dict:
        """As plain JSON values (the API)."""

        def project(p):
            return {"id": p.pk, "name": p.name, "region": p.region.name if p.region else None}

        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "lights_known": self.lights_known,
            "lights_month": f"{self.lights_month:%Y-%m}" if self.lights_month else None,
            "lights": [
                {**project(c.project), "before": c.before, "after": c.after, "reasons": c.reasons}
                for c in self.lights
            ],
            "problems_raised": [_problem(p) for p in self.problems_raised],
            "problems_solved": [_problem(p) for p in self.problems_solved],
            "problems_escalated": [_problem(p) for p in self.problems_escalated],
            "tasks_overdue": [
                {
                    "id": t.pk,
                    "content": t.content,
                    "project": t.project_id,
                    "deadline": t.deadline.isoformat(),
                    "status": t.status,
                }
                for t in self.tasks_overdue
            ],
            "milestones_met": [_milestone(m) for m in self.milestones_met],
            "milestones_missed": [_milestone(m) for m in self.milestones_missed],
            "investment": [
                {"region": item.region, "invested": f"{item.invested:.2f}"}
                for item in self.investment
            ],
        }


def _problem(problem: Problem) -> dict:
    return {
        "id": problem.pk,
        "description": problem.description,
        "project": problem.project_id,
        "level": problem.level,
        "status": problem.status,
    }


def _milestone(milestone: Milestone) -> dict:
    return {
        "id": milestone.pk,
        "name": milestone.name,
        "project": milestone.project_id,
        "planned_date": milestone.planned_date.isoformat(),
        "actual_date": milestone.actual_date.isoformat() if milestone.actual_date else None,
    }


def between(projects, start: date, end: date, today: date | None = None) -> Changes:
    """What changed for `projects` (a queryset the reader may see) after the end of `start`
    up to the end of `end`."""
    today = today or timezone.localdate()
    changes = Changes(start=start, end=end)

    def of_projects(rows):
        """The rows of `projects`; every row when `projects` is every project, rather than have
        the database look up each problem's, task's or report's project among all of them."""
        if not projects.query.has_filters() and not projects.query.is_sliced:
            return rows
        return rows.filter(project__in=projects.values("pk"))

    after_cutoff, before_cutoff = snapshots.end_of_day(end), snapshots.end_of_day(start)

    changes.lights_month = snapshots.closed_by(start)
    before = snapshots.lights_of(changes.lights_month)
    end_month = snapshots.first_of(end)
    after = (
        snapshots.lights_of(end_month)
        if end_month < snapshots.first_of(today)
        else None  # the month runs: the lights of today
    )
    if end_month < snapshots.first_of(today) and after is None:
        before = None  # the later month has closed and was not kept: its lights are unknown
    if before is not None:
        changes.lights_known = True
        shown = projects.select_related("region").only(
            "pk", "name", "light", "light_reasons", "region__name", "region__sort_order"
        )
        for project in shown:
            was = before.get(project.pk)
            now_light, now_reasons = (
                after.get(project.pk, (None, []))
                if after is not None
                else (project.light, project.light_reasons)
            )
            if was is None or now_light is None or was[0] == now_light:
                continue
            reasons = [reason for _light, reason in (now_reasons or [])]
            changes.lights.append(LightChange(project, was[0], now_light, reasons))
        changes.lights.sort(key=lambda c: (-RANK.get(c.after, 0), c.project.name))

    def within(moment) -> bool:
        return moment is not None and before_cutoff < moment <= after_cutoff

    for problem in (
        of_projects(Problem.objects.all())
        .filter(
            Q(created_at__gt=before_cutoff, created_at__lte=after_cutoff)
            | Q(verified_at__gt=before_cutoff, verified_at__lte=after_cutoff)
            | Q(escalated_at__gt=before_cutoff, escalated_at__lte=after_cutoff)
        )
        .select_related("project")
        .only(*PROBLEM_FIELDS, "project__name")
        .order_by("created_at", "pk")
    ):
        if within(problem.created_at):
            changes.problems_raised.append(problem)
        if within(problem.verified_at):
            changes.problems_solved.append(problem)
        if within(problem.escalated_at):
            changes.problems_escalated.append(problem)
    changes.tasks_overdue = list(
        of_projects(Task.objects.filter(deadline__gte=start, deadline__lt=end))
        .filter(Q(done_at__isnull=True) | Q(done_at__date__gt=F("deadline")))
        .select_related("project", "lead_unit")
        .only(*TASK_FIELDS, "project__name")
        .order_by("deadline", "pk")
    )
    last = min(end, today)
    for milestone in (
        of_projects(Milestone.objects.all())
        .filter(
            Q(actual_date__gt=start, actual_date__lte=end)
            | Q(planned_date__gt=start, planned_date__lte=last)
            & (Q(actual_date__isnull=True) | Q(actual_date__gt=F("planned_date")))
        )
        .select_related("project")
        .only(*MILESTONE_FIELDS, "project__name")
        .order_by("planned_date", "pk")
    ):
        if milestone.actual_date is not None and start < milestone.actual_date <= end:
            changes.milestones_met.append(milestone)
        if start < milestone.planned_date <= last and (
            milestone.actual_date is None or milestone.actual_date > milestone.planned_date
        ):
            changes.milestones_missed.append(milestone)
    by_region = (
        of_projects(ProgressReport.objects.all())
        .filter(
            status=ReportStatus.APPROVED,
            # The periods first, then their approved reports along the index (status, period):
            # joined to the period, SQLite read every approved report to test its period.
            period__in=ReportingPeriod.objects.filter(
                kind=PeriodKind.MONTHLY, end__gt=start, end__lte=end
            ).values("pk"),
        )
        .values("project__region__name", "project__region__sort_order")
        .annotate(total=Sum("invested"))
        .order_by(F("project__region__sort_order").asc(nulls_last=True), "project__region__name")
    )
    changes.investment = [
        RegionInvestment(row["project__region__name"] or _("City-level"), row["total"] or ZERO)
        for row in by_region
        if row["total"]
    ]
    return changes
