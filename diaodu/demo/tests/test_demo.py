"""The demo city: deterministic, realistic, dated relative to today, with working accounts."""

from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from diaodu.demo import builder
from diaodu.demo.catalog import PROJECTS
from diaodu.org.models import Unit, User
from diaodu.projects.models import AnnualPlan, Milestone, Project

TODAY = date(2026, 11, 20)
NAMED_IN_SEEDS = [
    "武陟县新能源汽车配套生产基地一期",
    "沿黄高速武陟至济源段",
    "市十一中迁建项目",
    "市再生水综合利用项目管网延伸工程",
    "智能机器人产业园",
]


@pytest.fixture
def demo(db):
    return builder.build(TODAY)


def fingerprint():
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
    )


def test_demo_city_is_realistic(demo):
    assert demo.projects == Project.objects.count() >= 80
    names = set(Project.objects.values_list("name", flat=True))
    assert set(NAMED_IN_SEEDS) <= names
    for region in ["解放区", "山阳区", "中站区", "马村区", "高新区", "武陟县"]:
        assert Project.objects.filter(region__name=region).exists(), region
    assert AnnualPlan.objects.filter(year=TODAY.year).count() > 60
    # Every plan's months add up to the plan.
    for plan in AnnualPlan.objects.prefetch_related("months")[:20]:
        assert plan.months_total() == plan.planned_investment
    assert Project.objects.exclude(latitude=None).count() == demo.projects
    # Projects are valid as the forms would check them.
    for project in Project.objects.all():
        project.full_clean()


def test_demo_city_is_deterministic(demo):
    first = fingerprint()
    builder.reset()
    builder.build(TODAY)
    assert fingerprint() == first


def test_demo_is_dated_relative_to_today(db):
    builder.build(date(2030, 3, 1))
    assert AnnualPlan.objects.filter(year=2030).exists()
    assert not AnnualPlan.objects.filter(year=2026).exists()


def test_demo_accounts_sign_in_and_see_their_scope(demo):
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
        assert client.login(username=username, password="diaodu-demo"), username
        response = client.get("/projects/")
        assert response.status_code == 200
        seen[username] = response.context["page"].paginator.count
    assert seen["hq"] == seen["leader"] == seen["inspector"] == seen["admin"] == expected_all
    assert seen["jiefang"] == Project.objects.filter(region=jiefang).count() > 0
    assert 0 < seen["owner"] < expected_all
    assert 0 < seen["jiaotong"] < expected_all
    assert User.objects.get(username="hq").has_perm("projects.change_project")


def test_one_demo_code_carries_a_check_digit_warning(demo):
    warned = [p for p in Project.objects.exclude(national_code="") if p.national_code_warnings]
    assert len(warned) == 1


def test_demo_command_if_empty_and_reset(db, capsys):
    call_command("demo")
    count = Project.objects.count()
    assert count == len(PROJECTS)
    call_command("demo", if_empty=True)
    assert Project.objects.count() == count
    out = capsys.readouterr().out
    assert "diaodu-demo" in out and "jiefang" in out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("demo")
    # An import made in the demo does not stop a reset.
    from diaodu.exchange.models import ImportJob
    from diaodu.org.models import User

    ImportJob.objects.create(
        created_by=User.objects.get(username="hq"), file="imports/a.xlsx", original_name="a.xlsx",
        year=2026,
    )  # fmt: skip
    call_command("demo", reset=True)
    assert Project.objects.count() == count and not ImportJob.objects.exists()


def test_demo_has_last_months_meeting_with_tasks_and_one_to_come(demo):
    from diaodu.meetings.agenda import build_agenda
    from diaodu.meetings.models import Meeting
    from diaodu.problems.choices import TaskSource

    held, upcoming = Meeting.objects.order_by("date")
    assert (held.date.year, held.date.month) == (2026, 10)
    assert upcoming.date.month == 11 and upcoming.date >= TODAY
    assert held.tasks.count() == 4
    assert set(held.tasks.values_list("source", flat=True)) == {TaskSource.MEETING}
    hq = User.objects.get(username="hq")
    agenda = build_agenda(upcoming, hq, today=TODAY)
    assert agenda.previous == held and len(agenda.previous_tasks) == 4
    assert agenda.projects
