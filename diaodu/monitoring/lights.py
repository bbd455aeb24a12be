"""Project lights (预警): green, yellow or red, with every reason in plain Chinese.

The rules live here, under one version; their thresholds are settings. `evaluate()` computes
the lights of many projects with a fixed number of queries; `refresh_lights()` stores them on
the projects so that the ledger can filter and count by light. The project page always shows a
fresh evaluation.

Rules (version RULES_VERSION):
- investment: year-to-date completion rate against the pro-rated plan (序时进度) for the months
  already past: yellow when DIAODU_LIGHT_INVESTMENT_YELLOW (10) to DIAODU_LIGHT_INVESTMENT_RED
  (30) points behind, red beyond;
- start: a new project not started by the end of its planned month is yellow, and red
  DIAODU_LIGHT_START_RED_MONTHS (3) months later;
- milestones: one overdue is yellow; overdue by more than DIAODU_LIGHT_MILESTONE_RED_DAYS (30)
  days, or two overdue, is red;
- reporting: the last period's report missing is yellow, the last two missing red;
- problems and tasks: an overdue task or an escalated open problem makes it at least yellow;
- approvals: an approval in progress past its legal time limit (in working days, 节假日 and 调休
  counted) is red, one within DIAODU_APPROVAL_WARNING_DAYS (3) working days of it yellow;
- forecast (only with DIAODU_LIGHT_FORECAST, off by default): a project under construction whose
  forecast finish (diaodu/monitoring/forecast.py) passes its planned completion by more than
  DIAODU_FORECAST_LATE_DAYS (30) days is yellow.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from diaodu.core import bulk, kept
from diaodu.core.choices import Light
from diaodu.projects.choices import Stage

RULES_VERSION = "2026.3"  # 2026.3: the forecast finish (optional); 2026.2: approvals, monthly
RANK = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}


@dataclass
class Verdict:
    light: str = Light.GREEN
    reasons: list[tuple[str, str]] = field(default_factory=list)

    def add(self, light, reason):
        self.reasons.append((light, reason))
        if RANK[light] > RANK[self.light]:
            self.light = light


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def evaluate(projects, today: date | None = None, known=None) -> dict[int, Verdict]:
    """The verdict of each project, in a fixed number of queries. `known`: the projects'
    forecasts (monitoring.forecast.forecasts), when the caller has them already."""
    from diaodu.problems.choices import ProblemLevel, ProblemStatus, TaskStatus
    from diaodu.problems.models import Problem, Task
    from diaodu.projects.models import Milestone, PlanMonth
    from diaodu.reporting.choices import ReportStatus
    from diaodu.reporting.models import InvestmentSummary, ProgressReport, ReportingPeriod

    today = today or timezone.localdate()
    year = today.year
    projects = list(projects)
    ids = [p.pk for p in projects]
    verdicts = {p.pk: Verdict() for p in projects}
    if not ids:
        return verdicts

    # Investment against the pro-rated plan of the months already past.
    planned, expected = defaultdict(Decimal), defaultdict(Decimal)
    for project_id, month, amount in PlanMonth.objects.filter(
        plan__project_id__in=ids, plan__year=year
    ).values_list("plan__project_id", "month", "planned_investment"):
        planned[project_id] += amount
        if month < today.month:
            expected[project_id] += amount
    if today < timezone.localdate():
        # As of a past day (a month's snapshot rebuilt from the history): the approved monthly
        # reports of the periods ended by then, not the year's summary as it stands now.
        invested = dict(
            ProgressReport.objects.filter(
                project_id__in=ids,
                status=ReportStatus.APPROVED,
                period__kind="monthly",
                period__start__year=year,
                period__end__lte=today,
            )
            .values("project_id")
            .annotate(total=Sum("invested"))
            .values_list("project_id", "total")
        )
    else:
        invested = dict(
            InvestmentSummary.objects.filter(project_id__in=ids, year=year).values_list(
                "project_id", "invested"
            )
        )
    yellow, red = settings.DIAODU_LIGHT_INVESTMENT_YELLOW, settings.DIAODU_LIGHT_INVESTMENT_RED
    for project in projects:
        total = planned.get(project.pk)
        if (
            not total
            or not expected.get(project.pk)
            or project.stage not in {Stage.NEW, Stage.CONTINUING}
        ):
            continue
        due_rate = expected[project.pk] / total * 100
        done_rate = invested.get(project.pk, Decimal(0)) / total * 100
        behind = due_rate - done_rate
        if behind > yellow:
            light = Light.RED if behind > red else Light.YELLOW
            verdicts[project.pk].add(
                light,
                _(
                    "Investment %(done).1f%% of the annual plan, %(behind).1f points behind the "
                    "pro-rated %(due).1f%%."
                )
                % {"done": done_rate, "behind": behind, "due": due_rate},
            )

    # Start: a new project past its planned month and not started.
    for project in projects:
        if project.stage != Stage.NEW or project.actual_start or not project.planned_start:
            continue
        late = _months_between(project.planned_start, today)
        if late >= 1:
            light = Light.RED if late >= settings.DIAODU_LIGHT_START_RED_MONTHS else Light.YELLOW
            verdicts[project.pk].add(
                light,
                _("Planned to start in %(month)s, not started %(late)d months later.")
                % {"month": f"{project.planned_start:%Y-%m}", "late": late},
            )

    # Milestones overdue.
    overdue = defaultdict(list)
    for project_id, name, planned_date in (
        Milestone.objects.filter(project_id__in=ids, planned_date__lt=today)
        .filter(Q(actual_date__isnull=True) | Q(actual_date__gt=today))  # not met by then
        .values_list("project_id", "name", "planned_date")
    ):
        overdue[project_id].append((name, planned_date))
    for project_id, items in overdue.items():
        worst = max((today - d).days for _n, d in items)
        light = (
            Light.RED
            if len(items) >= 2 or worst > settings.DIAODU_LIGHT_MILESTONE_RED_DAYS
            else Light.YELLOW
        )
        names = "、".join(name for name, _d in items[:3])
        verdicts[project_id].add(
            light,
            _("%(count)d milestones overdue (%(names)s), the worst by %(days)d days.")
            % {"count": len(items), "names": names, "days": worst},
        )

    # Reporting: the last two monthly periods past their due date, for the projects in a
    # programme of the period's year.
    from diaodu.projects.models import Program

    recent = list(
        ReportingPeriod.objects.filter(kind="monthly", due_date__lt=today, opened_at__isnull=False)
        .order_by("-due_date")
        .only("pk", "due_date", "start")[:2]
    )
    due = set(
        Program.projects.through.objects.filter(
            project_id__in=ids, program__year__in={p.start.year for p in recent}
        ).values_list("project_id", "program__year")
    )
    filed = set(
        ProgressReport.objects.filter(
            period_id__in=[p.pk for p in recent],
            project_id__in=ids,
            status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED],
        ).values_list("project_id", "period_id")
    )
    for project in projects:
        if project.stage in {Stage.RESERVE, Stage.COMPLETED, Stage.OPERATING, Stage.CANCELLED}:
            continue
        periods = [p for p in recent if (project.pk, p.start.year) in due]
        missing = [p for p in periods if (project.pk, p.pk) not in filed]
        if periods and periods[0] in missing:
            streak = 2 if len(missing) == 2 else 1
            light = Light.RED if streak == 2 else Light.YELLOW
            verdicts[project.pk].add(
                light,
                _("No report for the last %(count)d period(s), due %(due)s.")
                % {"count": streak, "due": periods[0].due_date},
            )

    # Approvals in progress against their time limits (diaodu.projects.approval_timing).
    from diaodu.projects.approval_timing import timing
    from diaodu.projects.choices import ApprovalKind
    from diaodu.projects.models import Approval

    clocks = defaultdict(lambda: defaultdict(list))
    for project_id, kind, short_name, name, applied_on, limit in (
        Approval.objects.running()
        .filter(project_id__in=ids)
        .order_by("project_id", "due_on", "pk")
        .values_list(
            "project_id",
            "kind",
            "responsible_department__short_name",
            "responsible_department__name",
            "applied_on",
            "time_limit_days",
        )
    ):
        clock = timing(applied_on, limit, today)
        if clock.light != Light.GREEN:
            label = ApprovalKind(kind).label
            clocks[project_id][clock.light].append(clock.describe(label, short_name or name))
    for project_id, by_light in clocks.items():
        for light, items in sorted(by_light.items(), key=lambda pair: -RANK[pair[0]]):
            message = (
                _("%(count)d approval(s) past the time limit: %(items)s.")
                if light == Light.RED
                else _("%(count)d approval(s) near the time limit: %(items)s.")
            )
            values = {"count": len(items), "items": "；".join(items)}
            verdicts[project_id].add(light, message % values)

    # Problems and tasks.
    red_tasks = dict(
        Task.objects.filter(project_id__in=ids, deadline__lt=today)
        .exclude(status=TaskStatus.VERIFIED)
        .values("project_id")
        .annotate(n=Count("pk"))
        .values_list("project_id", "n")
    )
    escalated = dict(
        Problem.objects.filter(project_id__in=ids)
        .exclude(status=ProblemStatus.VERIFIED)
        .exclude(level=ProblemLevel.UNIT)
        .values("project_id")
        .annotate(n=Count("pk"))
        .values_list("project_id", "n")
    )
    for project_id, count in red_tasks.items():
        verdicts[project_id].add(Light.YELLOW, _("%(count)d tasks overdue.") % {"count": count})
    for project_id, count in escalated.items():
        verdicts[project_id].add(
            Light.YELLOW,
            _("%(count)d problems escalated to leaders, not yet solved.") % {"count": count},
        )

    # The forecast finish against the planned completion, when the rule is on.
    if settings.DIAODU_LIGHT_FORECAST:
        from diaodu.monitoring.forecast import forecasts

        if known is None:
            known = forecasts(projects, today)
        for project_id, forecast in known.items():
            if forecast.is_late:
                verdicts[project_id].add(
                    Light.YELLOW,
                    _(
                        "Forecast to finish on %(finish)s, %(days)d days after the planned "
                        "completion."
                    )
                    % {"finish": forecast.finish, "days": forecast.late_days},
                )
    return verdicts


CHUNK = 5000


def refresh_lights(project_ids=None, today=None) -> int:
    """Store the current light and reasons, and the forecast, on the projects (all, or those
    given)."""
    from diaodu.monitoring.forecast import forecasts
    from diaodu.projects.models import Project

    queryset = Project.objects.order_by("pk").only(
        "pk",
        "stage",
        "actual_start",
        "planned_start",
        "planned_completion",
        "total_investment",
        *FORECAST_FIELDS,
    )
    if project_ids is None:
        projects = list(queryset)
    else:
        ids = sorted(set(project_ids))
        projects = [
            project
            for start in range(0, len(ids), CHUNK)
            for project in queryset.filter(pk__in=ids[start : start + CHUNK])
        ]
    # In chunks, so that no query carries more ids than a database accepts as parameters.
    verdicts, known = {}, {}
    with translation.override(settings.LANGUAGE_CODE):  # stored reasons read in Chinese
        for start in range(0, len(projects), CHUNK):
            chunk = projects[start : start + CHUNK]
            chunk_known = forecasts(chunk, today)
            known.update(chunk_known)
            verdicts.update(evaluate(chunk, today, known=chunk_known))
    now = timezone.now()
    # Projects sharing a verdict are updated together: a few UPDATEs, not one per project.
    groups = defaultdict(list)
    with translation.override(settings.LANGUAGE_CODE):  # stored reasons read in Chinese
        for project in projects:
            verdict = verdicts[project.pk]
            reasons = [[light, str(reason)] for light, reason in verdict.reasons]
            groups[(verdict.light, json.dumps(reasons, ensure_ascii=False))].append(project.pk)
    for (light, reasons), ids in groups.items():
        for start in range(0, len(ids), 900):
            Project.objects.filter(pk__in=ids[start : start + 900]).update(
                light=light, light_reasons=json.loads(reasons), light_computed_at=now
            )
    _store_forecasts(projects, known)
    kept.changed()  # the UPDATEs above send no signal
    return len(projects)


FORECAST_FIELDS = ["forecast_spi", "forecast_finish", "forecast_late_days"]


def _store_forecasts(projects, known) -> None:
    """The forecasts on the projects, only where they changed: those left without one emptied
    together, the others written in batches (each project's own figures)."""
    from diaodu.projects.models import Project

    changed, emptied = [], []  # (pk, spi, finish, late days); pks
    for project in projects:
        forecast = known.get(project.pk)
        values = (
            (forecast.spi, forecast.finish, forecast.late_days) if forecast else (None, None, None)
        )
        if tuple(getattr(project, field) for field in FORECAST_FIELDS) == values:
            continue
        if forecast is None:
            emptied.append(project.pk)
            continue
        changed.append((project.pk, *values))
    for start in range(0, len(emptied), 900):
        Project.objects.filter(pk__in=emptied[start : start + 900]).update(
            forecast_spi=None, forecast_finish=None, forecast_late_days=None
        )
    bulk.update_each(Project, changed, FORECAST_FIELDS)


__all__ = ["RULES_VERSION", "Verdict", "evaluate", "refresh_lights"]
