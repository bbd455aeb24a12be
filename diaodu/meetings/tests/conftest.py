"""A meeting on the city programme in 解放区, with a ledger around it inside and outside scope."""

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from diaodu.core.choices import Light
from diaodu.factories import MilestoneFactory
from diaodu.meetings import services
from diaodu.meetings.choices import MeetingKind, MeetingLevel
from diaodu.problems import services as ps
from diaodu.problems.choices import ProblemLevel, TaskSource, TaskStatus
from diaodu.problems.models import Problem, Task
from diaodu.projects.models import Project
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod

TODAY = date(2026, 6, 10)


def pytest_itemcollected(item):
    """Every test here runs at 10:00 on 10 June 2026 (the suite's `today` marker)."""
    item.add_marker(pytest.mark.today("2026-06-10"))


def make_meeting(city, **data):
    data.setdefault("kind", MeetingKind.SCHEDULING)
    data.setdefault("title", "重点项目调度会")
    data.setdefault("date", TODAY + timedelta(days=2))
    data.setdefault("place", "市政府三楼会议室")
    data.setdefault("level", MeetingLevel.CITY)
    return services.do_create_meeting(city.users.hq, **data)


def _problem(city, project, level, unit=None):
    problem = ps.do_raise_problem(
        city.users.hq,
        project,
        description=f"{project.name}用地指标未落实",
        category="land",
        responsible_unit=unit or city.ziran,
        deadline=TODAY + timedelta(days=5),
    )
    Problem.objects.filter(pk=problem.pk).update(level=level)
    return problem


def _task(city, meeting, content, days, project=None):
    return ps.do_assign_task(
        city.users.hq,
        content=content,
        project=project or city.projects.jiefang,
        lead_unit=city.jiaotong,
        deadline=TODAY + timedelta(days=days),
        source=TaskSource.MEETING,
        meeting=meeting,
    )


@pytest.fixture
def ledger(city):
    p = city.projects
    meeting = make_meeting(
        city, programs=[city.program], regions=[city.jiefang], attending_units=[city.jiaotong]
    )
    previous = make_meeting(
        city,
        title="上月调度会",
        date=TODAY - timedelta(days=30),
        programs=[city.program],
        regions=[city.jiefang],
    )
    other_kind = make_meeting(
        city, title="专题会", kind=MeetingKind.SPECIAL, date=TODAY - timedelta(days=10)
    )

    overdue_task = _task(city, previous, "完成征地拆迁扫尾工作", -9)
    running_task = _task(city, previous, "落实专项债券资金拨付", 20)
    done_task = _task(city, previous, "完成入库入统资料报送", 3)
    Task.objects.filter(pk=done_task.pk).update(status=TaskStatus.REPORTED_DONE)
    _task(city, other_kind, "专题会的任务", 5)

    late = MilestoneFactory(project=p.jiefang, name="主体封顶", planned_date=date(2026, 5, 1))
    MilestoneFactory(
        project=p.jiefang,
        name="基础完工",
        planned_date=date(2026, 4, 1),
        actual_date=date(2026, 4, 2),
    )
    MilestoneFactory(project=p.street, name="开工", planned_date=date(2026, 7, 1))
    MilestoneFactory(project=p.gaoxin, name="高新区节点", planned_date=date(2026, 5, 2))

    escalated = _problem(city, p.street, ProblemLevel.CITY_LEADER)
    _problem(city, p.jiefang, ProblemLevel.UNIT)
    _problem(city, p.jiefang, ProblemLevel.DISTRICT_LEADER)
    _problem(city, p.gaoxin, ProblemLevel.CITY_LEADER)

    period = ReportingPeriod.objects.create(
        start=date(2026, 5, 1),
        end=date(2026, 5, 31),
        due_date=date(2026, 6, 5),
    )
    ReportingPeriod.objects.create(
        start=date(2026, 6, 1),
        end=date(2026, 6, 30),
        due_date=date(2026, 7, 5),
    )
    ProgressReport.objects.create(
        project=p.jiefang,
        period=period,
        status=ReportStatus.SUBMITTED,
        submitted_at=timezone.make_aware(timezone.datetime(2026, 6, 3, 9)),
    )

    lights = {
        p.jiefang: (Light.RED, "年度投资完成率落后序时进度35个百分点"),
        p.street: (Light.YELLOW, "1个节点逾期"),
        p.gaoxin: (Light.RED, "高新区原因"),
        p.city: (Light.YELLOW, "全市原因"),
    }
    for project, (light, reason) in lights.items():
        Project.objects.filter(pk=project.pk).update(light=light, light_reasons=[[light, reason]])
    return SimpleNamespace(
        meeting=meeting,
        previous=previous,
        other_kind=other_kind,
        overdue_task=overdue_task,
        running_task=running_task,
        done_task=done_task,
        late_milestone=late,
        escalated=escalated,
        period=period,
    )


@dataclass
class FakeDraft:
    sentence: str
    project: object
    project_id: int | None
    content: str
    unit: object
    unit_id: int | None
    deadline: date | None
    deadline_text: str

    def as_dict(self):
        data = asdict(self)
        data.pop("project")
        data.pop("unit")
        data["deadline"] = self.deadline.isoformat() if self.deadline else None
        return data


@pytest.fixture
def drafts(city):
    p = city.projects
    return [
        FakeDraft(
            sentence="解放区项目由交通运输局牵头，6月30日前完成施工许可办理。",
            project=p.jiefang,
            project_id=p.jiefang.pk,
            content="完成施工许可办理",
            unit=city.jiaotong,
            unit_id=city.jiaotong.pk,
            deadline=date(2026, 6, 30),
            deadline_text="6月30日前",
        ),
        FakeDraft(
            sentence="街道项目要加快征迁，自然资源和规划局负责，月底前完成。",
            project=p.street,
            project_id=p.street.pk,
            content="加快征迁",
            unit=city.ziran,
            unit_id=city.ziran.pk,
            deadline=None,
            deadline_text="",
        ),
    ]


@pytest.fixture
def fake_extract(monkeypatch, drafts):
    calls = []

    def extract(text, meeting_date, *, projects=None, units=None):
        calls.append((text, meeting_date))
        return drafts

    monkeypatch.setattr("diaodu.meetings.views.extract", extract)
    monkeypatch.setattr("diaodu.meetings.api.extract", extract)
    return calls
