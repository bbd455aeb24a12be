"""The agenda drafts itself: what a meeting must look at, from the ledger.

For the projects of the meeting's scope that the reader sees:
1. projects with a red or yellow light, with the reasons;
2. milestones overdue (not done, planned date passed);
3. open problems escalated to the meeting's level;
4. reports late or missing in the latest monthly period that is due or closed, and in the
   latest update period of each weekly or biweekly programme;
5. since the last meeting: the tasks set at the previous meeting of the same kind, level and
   scope (`previous_meeting`), each with where it stands now, and what changed since its day
   (`reporting.changes`): the lights (from the snapshot of its month to today's), problems
   raised, solved and escalated, tasks that became overdue, milestones met and missed, and the
   investment by region.

A fixed number of queries, whatever the number of projects (one more per weekly programme).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.core.choices import Light
from diaodu.meetings.choices import PROBLEM_LEVEL_OF
from diaodu.meetings.models import Meeting
from diaodu.problems.choices import TaskStatus
from diaodu.problems.models import Problem, Task
from diaodu.problems.warnings import light_of
from diaodu.projects.choices import Cadence
from diaodu.projects.models import Milestone, Program, Project
from diaodu.reporting import changes
from diaodu.reporting.changes import Changes
from diaodu.reporting.choices import Filing
from diaodu.reporting.models import ProgressReport, ReportingPeriod
from diaodu.reporting.progress import filing_of

# Task states shown "since the last meeting".
DONE, OVERDUE, IN_PROGRESS = "done", "overdue", "in_progress"
TASK_STATE_COLOURS = {DONE: "green", OVERDUE: "red", IN_PROGRESS: "blue"}
BEHIND = {Filing.MISSING, Filing.DRAFT, Filing.LATE}


def task_state_label(state: str) -> str:
    return {
        DONE: _("Done"),
        OVERDUE: _("Overdue"),
        IN_PROGRESS: _("In progress"),
    }[state]


@dataclass
class ProjectItem:
    project: Project
    light: str
    reasons: list[str]

    @property
    def light_label(self) -> str:
        return Light(self.light).label


@dataclass
class ReportItem:
    project: Project
    period: ReportingPeriod
    filing: str

    @property
    def filing_label(self) -> str:
        return Filing(self.filing).label


@dataclass
class TaskItem:
    task: Task
    state: str
    light: str
    light_reason: str

    @property
    def state_label(self) -> str:
        return task_state_label(self.state)

    @property
    def colour(self) -> str:
        return TASK_STATE_COLOURS[self.state]


@dataclass
class Agenda:
    meeting: Meeting
    today: date
    projects: list[ProjectItem] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    reports: list[ReportItem] = field(default_factory=list)
    periods: list[ReportingPeriod] = field(default_factory=list)
    previous: Meeting | None = None
    previous_tasks: list[TaskItem] = field(default_factory=list)
    # Since the previous meeting: lights changed, problems, tasks, milestones, investment.
    changes: Changes | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.projects or self.milestones or self.problems or self.reports or self.previous_tasks
        )

    def as_dict(self) -> dict:
        """The agenda as plain JSON values (the API)."""

        def unit(u):
            return str(u) if u is not None else None

        return {
            "meeting": self.meeting.pk,
            "today": self.today.isoformat(),
            "projects": [
                {
                    "id": item.project.pk,
                    "name": item.project.name,
                    "region": unit(item.project.region),
                    "light": item.light,
                    "reasons": item.reasons,
                }
                for item in self.projects
            ],
            "milestones": [
                {
                    "id": m.pk,
                    "project": m.project_id,
                    "project_name": m.project.name,
                    "name": m.name,
                    "planned_date": m.planned_date.isoformat(),
                    "days_overdue": (self.today - m.planned_date).days,
                    "responsible_unit": unit(m.responsible_unit),
                }
                for m in self.milestones
            ],
            "problems": [
                {
                    "id": p.pk,
                    "project": p.project_id,
                    "project_name": p.project.name,
                    "description": p.description,
                    "responsible_unit": unit(p.responsible_unit),
                    "level": p.level,
                    "deadline": p.deadline.isoformat(),
                    "status": p.status,
                }
                for p in self.problems
            ],
            "reports": [
                {
                    "project": r.project.pk,
                    "project_name": r.project.name,
                    "period": r.period.pk,
                    "period_label": str(r.period),
                    "filing": r.filing,
                }
                for r in self.reports
            ],
            "previous_meeting": self.previous.pk if self.previous else None,
            "since_last_meeting": self.changes.as_dict() if self.changes else None,
            "previous_tasks": [
                {
                    "id": item.task.pk,
                    "content": item.task.content,
                    "project": item.task.project_id,
                    "lead_unit": unit(item.task.lead_unit),
                    "deadline": item.task.deadline.isoformat(),
                    "status": item.task.status,
                    "state": item.state,
                    "light": item.light,
                    "light_reason": item.light_reason,
                }
                for item in self.previous_tasks
            ],
        }


def _names_exactly(through, column: str, wanted: list[int]) -> Q:
    """The meetings whose rows in `through` (a many-to-many table of the scope) name exactly
    the ids in `wanted`: none other, and as many as there are (a meeting names each once)."""
    rows = through.objects.filter(meeting_id=OuterRef("pk"))
    if not wanted:
        return ~Q(Exists(rows))
    named = rows.values("meeting_id").annotate(n=Count("pk")).values("n")
    return ~Q(Exists(rows.exclude(**{f"{column}__in": wanted}))) & Q(
        Exact(Subquery(named), len(set(wanted)))
    )


def _same_programmes(wanted: list[int]) -> Q:
    """The meetings on programmes of the same codes as those in `wanted`: a programme is one
    year's list, so January's meeting on the 三十工程 follows December's."""
    rows = Meeting.programs.through.objects.filter(meeting_id=OuterRef("pk"))
    if not wanted:
        return ~Q(Exists(rows))
    programmes = Program.objects.filter(pk__in=wanted)
    missing = programmes.exclude(
        Exists(
            Meeting.programs.through.objects.filter(
                meeting_id=OuterRef(OuterRef("pk")), program__code=OuterRef("code")
            )
        )
    )
    return ~Q(Exists(rows.exclude(program__code__in=programmes.values("code")))) & ~Q(
        Exists(missing)
    )


def previous_meeting(
    meeting: Meeting, user, ids: dict[str, list[int]] | None = None
) -> Meeting | None:
    """The last meeting before this one of the same kind, level and scope that the user sees.

    The same scope: the same regions, the same projects named on their own, and programmes of
    the same codes. A meeting with no scope (city-wide) follows the last one with none. One
    query.
    """
    ids = ids or meeting.scope_ids()
    return (
        Meeting.objects.visible_to(user)
        .filter(kind=meeting.kind, level=meeting.level)
        .filter(Q(date__lt=meeting.date) | Q(date=meeting.date, pk__lt=meeting.pk))
        .exclude(pk=meeting.pk)
        .filter(
            _same_programmes(ids["programs"]),
            _names_exactly(Meeting.regions.through, "unit_id", ids["regions"]),
            _names_exactly(Meeting.projects.through, "project_id", ids["projects"]),
        )
        .order_by("-date", "-pk")
        .first()
    )


def task_item(task: Task, today: date) -> TaskItem:
    light, reason = light_of(task, today)
    if task.status in {TaskStatus.REPORTED_DONE, TaskStatus.VERIFIED}:
        state = DONE
    elif light == Light.RED:
        state = OVERDUE
    else:
        state = IN_PROGRESS
    return TaskItem(task, state, light, str(reason))


def _reasons(project) -> list[str]:
    # light_reasons is a list of [light, reason] pairs.
    return [reason for _light, reason in (project.light_reasons or [])]


def _late_reports(covered, meeting: Meeting, ids: dict, today: date):
    """Late or missing reports in the latest due-or-closed monthly period, and in the latest
    update period of each weekly or biweekly programme in scope."""
    programs = Program.objects.filter(year=meeting.date.year)
    if ids["programs"]:
        programs = programs.filter(pk__in=ids["programs"])
        covered = covered.filter(programs__in=ids["programs"]).distinct()
    else:
        programs = programs.filter(
            pk__in=Project.programs.through.objects.filter(project__in=covered.values("pk")).values(
                "program_id"
            )
        )
    behind = Q(due_date__lt=today) | Q(closed_at__isnull=False)
    latest = (
        ReportingPeriod.objects.filter(program=OuterRef("pk"))
        .filter(behind)
        .order_by("-due_date", "-pk")
        .values("pk")[:1]
    )
    period_ids = [
        pk
        for pk in programs.exclude(cadence=Cadence.MONTHLY)
        .annotate(latest=Subquery(latest))
        .values_list("latest", flat=True)
        if pk is not None
    ]
    monthly = (
        ReportingPeriod.objects.monthly()
        .filter(behind, start__year=meeting.date.year)
        .order_by("-due_date", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if monthly is not None:
        period_ids.insert(0, monthly)
    if not period_ids:
        return [], []
    periods = {
        p.pk: p for p in ReportingPeriod.objects.filter(pk__in=period_ids).select_related("program")
    }
    reports = {
        (r.project_id, r.period_id): r
        for r in ProgressReport.objects.filter(
            period_id__in=period_ids, project__in=covered.values("pk")
        ).only("pk", "project_id", "period_id", "status", "submitted_at")
    }
    items = []
    for period_id in period_ids:
        period = periods[period_id]
        for project in covered.filter(period.due()).select_related("region").order_by("name", "pk"):
            report = reports.get((project.pk, period.pk))
            if report is not None:
                report.period = period
            filing = filing_of(report)
            if filing in BEHIND:
                items.append(ReportItem(project, period, filing))
    return items, [periods[pk] for pk in period_ids]


def build_agenda(meeting: Meeting, user, today: date | None = None) -> Agenda:
    today = today or timezone.localdate()
    agenda = Agenda(meeting=meeting, today=today)
    ids = meeting.scope_ids()
    covered = meeting.covered_projects(user, ids)
    covered_ids = covered.values("pk")

    for project in (
        covered.filter(light__in=[Light.RED, Light.YELLOW])
        .select_related("region", "lead_unit")
        .order_by("-light", *Project._meta.ordering)
    ):
        agenda.projects.append(ProjectItem(project, project.light, _reasons(project)))
    # "red" sorts after "yellow": put red first.
    agenda.projects.sort(key=lambda item: item.light != Light.RED)

    agenda.milestones = list(
        Milestone.objects.filter(
            project__in=covered_ids, actual_date__isnull=True, planned_date__lt=today
        )
        .select_related("project__region", "responsible_unit")
        .order_by("planned_date", "id")
    )
    for milestone in agenda.milestones:
        milestone.days_overdue = (today - milestone.planned_date).days

    agenda.problems = list(
        Problem.objects.open()
        .filter(project__in=covered_ids, level=PROBLEM_LEVEL_OF[meeting.level])
        .select_related("project__region", "responsible_unit", "coordinating_leader")
        .order_by("deadline", "id")
    )
    for problem in agenda.problems:
        problem.light, problem.light_reason = light_of(problem, today)

    agenda.reports, agenda.periods = _late_reports(covered, meeting, ids, today)

    agenda.previous = previous_meeting(meeting, user, ids)
    if agenda.previous is not None:
        agenda.previous_tasks = [
            task_item(task, today)
            for task in Task.objects.visible_to(user)
            .filter(meeting=agenda.previous)
            .select_related("project", "lead_unit")
            .order_by("deadline", "id")
        ]
        if agenda.previous.date < today:
            agenda.changes = changes.between(covered, agenda.previous.date, today, today)
    return agenda
