"""Month snapshots: what they keep, kept as they were, and what reads them (a past month's
bulletin, the meeting's "since the last meeting", /changes/, the project's trends)."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from diaodu.assessment.choices import PeriodKind as WindowKind
from diaodu.assessment.periods import Window
from diaodu.bulletins.documents import build_content
from diaodu.conftest import login
from diaodu.core.choices import Light
from diaodu.factories import (
    InvestmentSummaryFactory,
    MilestoneFactory,
    PlanMonthFactory,
    ProblemFactory,
    ProgressReportFactory,
    ReportingPeriodFactory,
    TaskFactory,
)
from diaodu.meetings.agenda import build_agenda
from diaodu.meetings.models import Meeting
from diaodu.monitoring import snapshots as taking
from diaodu.monitoring.tasks import snapshot as snapshot_task
from diaodu.problems.models import Problem, Task
from diaodu.projects.choices import Stage
from diaodu.projects.models import Milestone, Project
from diaodu.reporting import changes, snapshots
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import MonthSnapshot, ProgressReport, ProjectSnapshot

pytestmark = pytest.mark.today("2026-11-20")


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def history(city):
    """解放区项目 with a plan, two approved monthly reports (September and October), a draft for
    November, milestones met and missed, a problem solved in October and one still open, a
    task overdue since October."""
    project = city.projects.jiefang
    plan = project.annual_plans.get(year=2026)
    for month, amount in ((9, "100"), (10, "200"), (11, "300"), (12, "400")):
        PlanMonthFactory(plan=plan, month=month, planned_investment=Decimal(amount))
    for day, invested, percent in (
        (date(2026, 9, 5), "80", "30.0"),
        (date(2026, 10, 5), "150", "45.0"),
    ):
        ProgressReportFactory(
            project=project,
            period=ReportingPeriodFactory(day=day),
            invested=Decimal(invested),
            physical_percent=Decimal(percent),
            status=ReportStatus.APPROVED,
        )
    ProgressReportFactory(project=project, period=ReportingPeriodFactory(day=date(2026, 11, 5)))
    MilestoneFactory(project=project, name="主体开工", planned_date=date(2026, 9, 10),
                     actual_date=date(2026, 9, 12))  # fmt: skip
    MilestoneFactory(project=project, name="主体封顶", planned_date=date(2026, 10, 20))
    MilestoneFactory(project=project, name="竣工验收", planned_date=date(2026, 12, 20))
    solved = ProblemFactory(project=project, responsible_unit=city.jiaotong)
    still = ProblemFactory(project=project, responsible_unit=city.jiaotong)
    Problem.objects.filter(pk=solved.pk).update(
        created_at=at(date(2026, 9, 20)), verified_at=at(date(2026, 10, 25)), status="verified"
    )
    Problem.objects.filter(pk=still.pk).update(created_at=at(date(2026, 10, 2)))
    late = TaskFactory(project=project, lead_unit=city.jiaotong, deadline=date(2026, 10, 15))
    Task.objects.filter(pk=late.pk).update(created_at=at(date(2026, 10, 1)))
    return project


def test_a_snapshot_keeps_each_figure_as_of_the_months_end(history):
    InvestmentSummaryFactory(project=history, year=2025, invested=Decimal("500.00"))
    taking.take(date(2026, 10, 1))
    row = ProjectSnapshot.objects.get(snapshot__month=date(2026, 10, 1), project=history)
    assert (row.invested_year, row.invested_total) == (Decimal("230.00"), Decimal("730.00"))
    assert (row.planned_year, row.planned_to_date) == (Decimal("1000.00"), Decimal("300.00"))
    assert row.physical_percent == Decimal("45.0")
    assert (row.milestones_due, row.milestones_met, row.milestones_overdue) == (2, 1, 1)
    assert (row.open_problems, row.open_tasks, row.overdue_tasks) == (1, 1, 1)
    assert row.light == Light.YELLOW  # one milestone 11 days overdue on 31 October
    assert any("主体封顶" in reason for _light, reason in row.light_reasons)
    september = taking.take(date(2026, 9, 1))
    row = september.rows.get(project=history)
    assert row.invested_year == Decimal("80.00") and row.physical_percent == Decimal("30.0")
    assert (row.milestones_met, row.milestones_overdue, row.open_problems) == (1, 0, 1)
    assert row.light == Light.GREEN


def test_taken_again_replaces_until_published_then_refuses(history):
    first = taking.take(date(2026, 10, 1))
    again = taking.take(date(2026, 10, 1))
    assert first.pk == again.pk
    assert ProjectSnapshot.objects.filter(snapshot=again).count() == Project.objects.count()
    snapshots.do_publish_month(date(2026, 10, 1))
    with pytest.raises(ValidationError, match="2026-10"):
        taking.take(date(2026, 10, 1))
    # The scheduled job leaves a published month alone and keeps this month current.
    result = snapshot_task()
    assert result == {"months": ["2026-11"]}
    assert MonthSnapshot.objects.get(month=date(2026, 10, 1)).published_at is not None


def test_the_scheduled_job_takes_the_closed_month_once_more_then_this_one(history):
    assert snapshot_task() == {"months": ["2026-10", "2026-11"]}
    assert snapshot_task() == {"months": ["2026-11"]}  # October was taken after its close


def test_rebuilding_takes_every_month_and_marks_it(history):
    taken = taking.rebuild(date(2026, 8, 1), date(2026, 10, 1))
    assert [f"{s.month:%Y-%m}" for s in taken] == ["2026-08", "2026-09", "2026-10"]
    assert all(s.rebuilt for s in taken)


def test_changes_between_two_months_match_the_records(city, history):
    taking.take(date(2026, 9, 1))
    taking.take(date(2026, 10, 1))
    found = changes.between(
        Project.objects.all(), date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 20)
    )
    assert found.lights_known and found.lights_month == date(2026, 9, 1)
    (change,) = [c for c in found.lights if c.project == history]
    assert (change.before, change.after) == ("green", "yellow")
    assert any("主体封顶" in reason for reason in change.reasons)
    assert [p.description for p in found.problems_raised] == [
        Problem.objects.get(created_at__date=date(2026, 10, 2)).description
    ]
    assert len(found.problems_solved) == 1 and not found.problems_escalated
    assert [t.deadline for t in found.tasks_overdue] == [date(2026, 10, 15)]
    assert [m.name for m in found.milestones_missed] == ["主体封顶"]
    assert found.milestones_met == []
    assert [(i.region, i.invested) for i in found.investment] == [("解放区", Decimal("150.00"))]


def test_the_changes_page_and_api_say_what_is_wrong_in_chinese(city, history):
    taking.take(date(2026, 9, 1))
    taking.take(date(2026, 10, 1))
    client = login(city.users.hq)
    page = client.get(reverse("changes"), {"from": "2026-09", "to": "2026-10"})
    assert page.status_code == 200 and "主体封顶" in page.content.decode()
    bad = client.get(reverse("changes"), {"from": "2026-10", "to": "2026-09"})
    assert "第一个月份须早于第二个月份" in bad.content.decode()
    api = client.get(reverse("api-changes"), {"from": "2026-09", "to": "2026-10"})
    assert api.status_code == 200
    assert {"name": "解放区项目", "before": "green", "after": "yellow"}.items() <= next(
        c for c in api.json()["lights"] if c["name"] == "解放区项目"
    ).items()
    assert client.get(reverse("api-changes"), {"from": "九月"}).status_code == 400
    # A region sees only its own projects' changes.
    gaoxin = login(city.users.gaoxin).get(
        reverse("api-changes"), {"from": "2026-09", "to": "2026-10"}
    )
    assert "解放区项目" not in {c["name"] for c in gaoxin.json()["lights"]}
    assert gaoxin.json()["milestones_missed"] == [] and gaoxin.json()["investment"] == []


# -- on the demo city -------------------------------------------------------------------------


def test_last_months_bulletin_shows_last_months_lights(demo_city):
    october = date(2026, 10, 1)
    kept = ProjectSnapshot.objects.filter(snapshot__month=october)
    green = kept.filter(light=Light.GREEN).exclude(stage="cancelled").first()
    red_then = kept.filter(light=Light.RED).count()
    # Today the project turns red.
    Project.objects.filter(pk=green.project_id).update(
        light=Light.RED, light_reasons=[[Light.RED, "今天亮红灯"]]
    )
    content = build_content(Window(WindowKind.MONTH, 2026, 10))
    assert content.lights_month == october
    assert green.project.name not in [p.project for p in content.red_projects]
    assert content.figures.red == red_then == len(content.red_projects)
    # A month that has not closed shows the lights of the day.
    november = build_content(Window(WindowKind.MONTH, 2026, 11))
    assert november.lights_month is None
    assert green.project.name in [p.project for p in november.red_projects]


def test_the_demos_latest_meeting_shows_what_changed_since_the_one_before(demo_city):
    meeting = Meeting.objects.order_by("-date").first()
    hq = demo_city_user("hq")
    agenda = build_agenda(meeting, hq)
    assert agenda.previous is not None and agenda.changes is not None
    start, today = agenda.previous.date, date(2026, 11, 20)
    found = agenda.changes
    covered = set(meeting.covered_projects(hq, meeting.scope_ids()).values_list("pk", flat=True))
    # By hand, from the records themselves.
    cutoff = at(start, 23)
    raised = {p.pk for p in Problem.objects.all() if p.project_id in covered
              and timezone.localtime(p.created_at).date() > start}  # fmt: skip
    assert {p.pk for p in found.problems_raised} == raised
    solved = {p.pk for p in Problem.objects.all() if p.project_id in covered and p.verified_at
              and timezone.localtime(p.verified_at).date() > start}  # fmt: skip
    assert {p.pk for p in found.problems_solved} == solved
    overdue = {
        t.pk
        for t in Task.objects.all()
        if t.project_id in covered
        and start <= t.deadline < today
        and (t.done_at is None or timezone.localtime(t.done_at).date() > t.deadline)
    }
    assert {t.pk for t in found.tasks_overdue} == overdue
    missed = {m.pk for m in Milestone.objects.all() if m.project_id in covered
              and start < m.planned_date <= today
              and (m.actual_date is None or m.actual_date > m.planned_date)}  # fmt: skip
    assert {m.pk for m in found.milestones_missed} == missed
    before = dict(
        ProjectSnapshot.objects.filter(snapshot__month=snapshots.closed_by(start)).values_list(
            "project_id", "light"
        )
    )
    changed = {p.pk for p in Project.objects.filter(pk__in=covered) if before.get(p.pk)
               and before[p.pk] != p.light}  # fmt: skip
    assert {c.project.pk for c in found.lights} == changed and changed
    invested = sum(
        r.invested for r in ProgressReport.objects.filter(
            status=ReportStatus.APPROVED, period__kind="monthly", project_id__in=covered,
            period__end__gt=start, period__end__lte=today)
    )  # fmt: skip
    assert found.invested == invested
    assert cutoff  # the day's end is the boundary: events of the meeting day are before it
    page = signed_in(hq).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'id="since-last-meeting"' in page
    for change in found.lights[:3]:
        assert change.project.name in page


def demo_city_user(username):
    from diaodu.org.models import User

    return User.objects.get(username=username)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_demo_keeps_a_snapshot_of_every_month_since_its_first_reports(demo_city):
    months = list(MonthSnapshot.objects.order_by("month").values_list("month", "rebuilt"))
    assert months[0] == (date(2025, 12, 1), True)  # its first month of reports
    assert months[-1] == (date(2026, 11, 1), False)
    assert len(months) == 12
    project = ProjectSnapshot.objects.filter(snapshot__month=date(2026, 10, 1)).first().project
    page = signed_in(demo_city_user("hq")).get(reverse("projects:detail", args=[project.pk]))
    assert page.context["trend"]["months"][-1] == "2026-11"
    assert 'id="trend-data"' in page.content.decode()


def test_a_past_years_dashboard_shows_its_lights_as_they_were(city, history):
    from diaodu.monitoring.figures import figures

    with time_machine.travel(at(date(2025, 12, 31), 20), tick=False):
        taking.take(date(2025, 12, 1))
    was = Project.objects.get(pk=history.pk).stage
    Project.objects.filter(pk=history.pk).update(light=Light.RED, stage=Stage.COMPLETED)
    past = figures(city.users.hq, 2025)
    assert past["lights_month"] == date(2025, 12, 1)
    assert dict((v, n) for v, _label, n in past["lights"])[Light.RED] == 0
    stages = dict((v, n) for v, _label, n in past["stages"])
    assert stages.get(Stage.COMPLETED, 0) == 0 and stages[was] >= 1  # as it stood then
    now = figures(city.users.hq, 2026)
    assert now["lights_month"] is None
    assert dict((v, n) for v, _label, n in now["lights"])[Light.RED] == 1
    assert dict((v, n) for v, _label, n in now["stages"])[Stage.COMPLETED] >= 1
    page = login(city.users.hq).get(reverse("dashboard"), {"year": 2025})
    assert "2025-12" in page.content.decode()
    assert (
        login(city.users.hq).get(reverse("api-dashboard"), {"year": 2025}).json()["lights_month"]
        == "2025-12-01"
    )


def test_a_month_rebuilt_later_judges_by_what_was_true_then(city, history):
    # Met in October, but overdue at the end of September: September's light says so.
    MilestoneFactory(project=history, name="桩基完成", planned_date=date(2026, 8, 20),
                     actual_date=date(2026, 10, 25))  # fmt: skip
    (september,) = taking.rebuild(date(2026, 9, 1), date(2026, 9, 1))
    row = september.rows.get(project=history)
    assert row.milestones_overdue == 1 and row.light == Light.RED  # 41 days overdue
    assert any("桩基完成" in reason for _light, reason in row.light_reasons)
    # Between two closed months of which the later was not kept, no light change is told.
    found = changes.between(
        Project.objects.all(), date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 20)
    )
    assert not found.lights_known and found.lights == []
