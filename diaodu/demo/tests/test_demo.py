"""The demo city: deterministic, realistic, dated relative to today, with working accounts."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from diaodu.bulletins.models import Bulletin
from diaodu.demo import builder
from diaodu.demo.catalog import PROJECTS
from diaodu.exchange.models import ImportJob
from diaodu.inspections.models import Inspection
from diaodu.meetings.models import Meeting
from diaodu.org.models import Unit, User
from diaodu.problems.models import Problem, Task
from diaodu.projects.models import AnnualPlan, Milestone, Project
from diaodu.reporting.models import ProgressReport

NAMED_IN_SEEDS = [
    "武陟县新能源汽车配套生产基地一期",
    "沿黄高速武陟至济源段",
    "市十一中迁建项目",
    "市再生水综合利用项目管网延伸工程",
    "智能机器人产业园",
]


def fingerprint():
    """What the demo holds, without timestamps or primary keys."""
    return (
        list(
            Project.objects.order_by("name").values_list(
                "name",
                "national_code",
                "stage",
                "planned_start",
                "actual_start",
                "total_investment",
                "latitude",
            )
        ),
        list(
            Milestone.objects.order_by("project__name", "planned_date", "name").values_list(
                "project__name", "name", "planned_date", "actual_date"
            )
        ),
        list(
            AnnualPlan.objects.order_by("project__name", "year").values_list(
                "project__name", "year", "planned_investment"
            )
        ),
        list(
            ProgressReport.objects.order_by(
                "project__name", "period__start", "period__kind", "period__program__code", "pk"
            ).values_list("project__name", "period__start", "status", "invested")
        ),
        list(
            Problem.objects.order_by("project__name", "deadline", "pk").values_list(
                "project__name", "description", "status", "deadline"
            )
        ),
        list(Task.objects.order_by("deadline", "pk").values_list("content", "status", "deadline")),
        list(
            Inspection.objects.order_by("date", "project__name").values_list(
                "project__name", "date", "reported_percent", "verified_percent", "rating"
            )
        ),
        list(Meeting.objects.order_by("date").values_list("title", "date")),
    )


def test_demo_city_is_realistic(demo_city):
    assert demo_city.projects == Project.objects.count() >= 80
    names = set(Project.objects.values_list("name", flat=True))
    assert set(NAMED_IN_SEEDS) <= names
    for region in ["解放区", "山阳区", "中站区", "马村区", "高新区", "武陟县"]:
        assert Project.objects.filter(region__name=region).exists(), region
    assert AnnualPlan.objects.filter(year=demo_city.today.year).count() > 60
    # Every plan's months add up to the plan.
    for plan in AnnualPlan.objects.prefetch_related("months")[:20]:
        assert plan.months_total() == plan.planned_investment
    assert Project.objects.exclude(latitude=None).count() == demo_city.projects
    # Projects are valid as the forms would check them.
    for project in Project.objects.all():
        project.full_clean()


def test_a_test_may_empty_the_demo_city_for_itself(demo_city, settings):
    """What a test changes, files included, is undone before the next one (see the others)."""
    bulletin = Bulletin.objects.get()
    path = Path(settings.MEDIA_ROOT) / bulletin.document.name
    assert path.is_file()
    builder.reset()
    assert not Project.objects.exists() and not User.objects.exists()
    assert not path.exists()


def test_tests_without_the_demo_city_see_none_of_it(db):
    """The demo city's tests run first; their city is gone before this one."""
    assert not Project.objects.exists() and not User.objects.exists()
    assert not Unit.objects.exists()


def test_demo_is_dated_relative_to_today(db):
    """Built on another day, the demo's plans are of that year and the one before; built in
    January, it keeps the months since its first reports, last year's December included, so
    last month's bulletin shows last month's lights."""
    from diaodu.assessment.periods import Window
    from diaodu.bulletins.documents import build_content
    from diaodu.reporting.models import MonthSnapshot

    builder.build(date(2030, 1, 15))
    assert AnnualPlan.objects.filter(year=2030).exists()
    assert set(AnnualPlan.objects.values_list("year", flat=True)) == {2029, 2030}
    first = ProgressReport.objects.order_by("period__start").values("period__start").first()
    assert first == {"period__start": date(2029, 2, 1)}  # a year of reports
    months = list(MonthSnapshot.objects.order_by("month").values_list("month", "rebuilt"))
    assert months[0] == (date(2029, 2, 1), True)
    assert months[-2:] == [(date(2029, 12, 1), True), (date(2030, 1, 1), False)]
    assert len(months) == 12  # no month left out
    december = Bulletin.objects.get()
    assert (december.year, december.number) == (2029, 12)
    assert MonthSnapshot.objects.get(month=date(2029, 12, 1)).published_at is not None
    content = build_content(Window.parse("2029-12"), date(2030, 1, 15))
    assert content.lights_month == date(2029, 12, 1)


def test_demo_accounts_sign_in_and_see_their_scope(demo_city):
    expected_all = Project.objects.count()
    jiefang = Unit.objects.get(code="jiefang")
    seen = {}
    for username in [
        "admin",
        "hq",
        "leader",
        "jiefang",
        "gaoxin",
        "jiaotong",
        "owner",
        "inspector",
    ]:
        client = Client()
        assert client.login(username=username, password=builder.PASSWORD), username
        response = client.get("/projects/")
        assert response.status_code == 200
        seen[username] = response.context["page"].paginator.count
    assert seen["hq"] == seen["leader"] == seen["inspector"] == seen["admin"] == expected_all
    assert seen["jiefang"] == Project.objects.filter(region=jiefang).count() > 0
    assert 0 < seen["owner"] < expected_all
    assert 0 < seen["jiaotong"] < expected_all
    assert User.objects.get(username="hq").has_perm("projects.change_project")


def test_one_demo_code_carries_a_check_digit_warning(demo_city):
    warned = [p for p in Project.objects.exclude(national_code="") if p.national_code_warnings]
    assert len(warned) == 1


def test_demo_command_if_empty_and_reset_to_the_same_city(demo_city, capsys):
    """`demo --reset` builds the city again, and the same day gives the same city, down to its
    reports and inspections."""
    count = Project.objects.count()
    assert count == len(PROJECTS)
    before = fingerprint()
    assert all(before), [len(rows) for rows in before]
    from diaodu.core.models import DocumentNumber

    numbers_before = list(DocumentNumber.objects.values_list("sequence", flat=True))
    call_command("demo", if_empty=True)
    assert Project.objects.count() == count
    out = capsys.readouterr().out
    assert builder.PASSWORD in out and "jiefang" in out
    with pytest.raises(CommandError):
        call_command("demo")
    # An import made in the demo does not stop a reset.
    ImportJob.objects.create(
        created_by=User.objects.get(username="hq"), file="imports/a.xlsx", original_name="a.xlsx",
        year=demo_city.today.year,
    )  # fmt: skip
    # Nor does a 督办单 issued to a unit (its unit is protected), and numbering starts again.
    from diaodu.core.models import DocumentNumber
    from diaodu.problems.models import SupervisionNotice, Task
    from diaodu.problems.services import do_issue_notice

    task = Task.objects.select_related("lead_unit").first()
    do_issue_notice(User.objects.get(username="hq"), task.lead_unit, [task])
    call_command("demo", reset=True)
    assert not ImportJob.objects.exists() and not SupervisionNotice.objects.exists()
    assert sorted(DocumentNumber.objects.values_list("sequence", flat=True)) == sorted(
        numbers_before
    )
    assert builder.PASSWORD in capsys.readouterr().out
    assert fingerprint() == before


def test_demo_has_last_months_meeting_with_tasks_and_one_to_come(demo_city):
    from diaodu.meetings.agenda import build_agenda
    from diaodu.problems.choices import TaskSource

    today = demo_city.today
    held, upcoming = Meeting.objects.order_by("date")
    last_month = today.replace(day=1) - timedelta(days=1)
    assert (held.date.year, held.date.month) == (last_month.year, last_month.month)
    assert upcoming.date.month == today.month and upcoming.date >= today
    assert held.tasks.count() == 4
    assert set(held.tasks.values_list("source", flat=True)) == {TaskSource.MEETING}
    hq = User.objects.get(username="hq")
    agenda = build_agenda(upcoming, hq, today=today)
    assert agenda.previous == held and len(agenda.previous_tasks) == 4
    assert agenda.projects
