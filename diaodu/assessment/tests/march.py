"""A small city with March 2026 to rank, on 10 April 2026: the rankings published from it, and
the bulletin written from them (diaodu/bulletins/tests). Import its fixtures (`_today`, which
stops the clock on that day, and `town`) into the test module.

Worked out by hand under the default scheme with one unit praised and one summoned per group:

- regions: 解放区 (its project and its street's, 2,400 planned, 2,400 invested) 100 points;
  高新区 (1,200 planned, 300 invested: 25 % of the year, 100 % of the plan to date) 77.5;
  武陟县 (1,200 planned, nothing invested) 50. In February nobody had invested: all shared
  rank 1, so 高新区 fell one place and 武陟县 two;
- departments: 交通运输局 leads 解放区's project and has one task overdue; 自然资源和规划局
  leads the rest, with one task done late.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from diaodu.assessment import services
from diaodu.assessment.choices import Group
from diaodu.assessment.models import Ranking, ScoringScheme
from diaodu.assessment.periods import Window
from diaodu.core.choices import Light
from diaodu.factories import AnnualPlanFactory, ProjectFactory, UnitFactory
from diaodu.notifications.models import Notification
from diaodu.org.choices import UnitKind
from diaodu.problems.models import Task
from diaodu.projects.models import Project
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod

TODAY = date(2026, 4, 10)
MARCH = Window.parse("2026-03")


# The day the city is ranked on: a module that uses `town` marks its tests with it.
ON_THE_DAY = pytest.mark.today("2026-04-10")


def at(day: str):
    return timezone.make_aware(datetime.fromisoformat(f"{day}T10:00:00"))


@pytest.fixture
def town(city):
    p = city.projects
    wuzhi = UnitFactory(name="武陟县", code="wuzhi", kind=UnitKind.REGION)
    p_wuzhi = ProjectFactory(
        name="武陟县项目", region=wuzhi, owner=city.touzi, lead_unit=city.ziran
    )
    p_wuzhi.programs.set([city.program])
    AnnualPlanFactory(project=p_wuzhi, year=2026)
    ScoringScheme.objects.update(top_count=1, bottom_count=1)

    march = ReportingPeriod.objects.create(
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        due_date=date(2026, 4, 5),
    )
    for project, invested in ((p.jiefang, 1200), (p.street, 1200), (p.gaoxin, 300), (p.city, 600)):
        ProgressReport.objects.create(
            project=project,
            period=march,
            invested=Decimal(invested),
            status=ReportStatus.APPROVED,
            submitted_at=at("2026-04-02"),
        )
    Project.objects.filter(pk=p.gaoxin.pk).update(
        light=Light.RED,
        light_reasons=[[Light.RED, "年度投资完成率落后序时进度"], [Light.YELLOW, "1个节点逾期"]],
    )
    Project.objects.filter(pk=p_wuzhi.pk).update(
        light=Light.YELLOW, light_reasons=[[Light.YELLOW, "前期手续滞后"]]
    )
    overdue = Task.objects.create(
        content="完成征地拆迁扫尾工作",
        project=p.jiefang,
        lead_unit=city.jiaotong,
        deadline=date(2026, 3, 20),
    )
    late = Task.objects.create(
        content="办理施工许可",
        project=p.street,
        lead_unit=city.ziran,
        deadline=date(2026, 3, 15),
        status="reported_done",
        done_at=at("2026-04-02"),
    )
    Task.objects.create(
        content="按期完成的任务",
        lead_unit=city.gaoxin,
        deadline=date(2026, 3, 10),
        status="reported_done",
        done_at=at("2026-03-05"),
    )
    Task.objects.create(content="四月的任务", lead_unit=city.jiaotong, deadline=date(2026, 4, 20))
    city.wuzhi, city.projects.wuzhi = wuzhi, p_wuzhi
    city.tasks = type("Tasks", (), {"overdue": overdue, "late": late})
    return city


@pytest.fixture
def second_group_fails(monkeypatch):
    """Computing the departments' ranking (the second group) fails."""
    compute = services.compute

    def failing(window, group, *args, **kwargs):
        if group == Group.DEPARTMENT:
            raise RuntimeError("the database went away")
        return compute(window, group, *args, **kwargs)

    monkeypatch.setattr(services, "compute", failing)


def nothing_published() -> bool:
    """No ranking kept, nobody told of one."""
    return (
        not Ranking.objects.exists()
        and not Notification.objects.filter(event="ranking.published").exists()
    )
