"""A small city with three months of 2026 to rank: reports, plans, starts, milestones, problems,
tasks and inspections whose indicators can be worked out by hand (see test_indicators.py)."""

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from diaodu.factories import MilestoneFactory, PlanMonthFactory
from diaodu.inspections.choices import Rating
from diaodu.inspections.models import Inspection
from diaodu.problems.models import Problem, Task
from diaodu.projects.choices import Stage
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod

TODAY = date(2026, 4, 15)


def at(day: str):
    return timezone.make_aware(datetime.fromisoformat(f"{day}T10:00:00"))


def report(project, period, invested, status=ReportStatus.APPROVED, submitted=None):
    return ProgressReport.objects.create(
        project=project,
        period=period,
        invested=Decimal(invested),
        status=status,
        submitted_at=at(submitted) if submitted else None,
    )


@pytest.fixture
def ranked(request, city):
    """The city ranked on TODAY; a test using it runs on that day (`@pytest.mark.today(TODAY)`),
    so that the city and its plans are of that year."""
    assert request.node.get_closest_marker("today") and timezone.localdate() == TODAY, (
        "a test of the ranked city runs on its day: @pytest.mark.today(TODAY)"
    )
    p = city.projects
    months = {}
    for month in (1, 2, 3):
        months[month] = ReportingPeriod.objects.create(
            start=date(2026, month, 1),
            end=date(2026, month, 28),
            due_date=date(2026, month, 25),
        )
    # 解放区's project plans 100 a month; the others have no monthly breakdown (pro-rated).
    plan = p.jiefang.annual_plans.get(year=2026)
    for month in range(1, 13):
        PlanMonthFactory(plan=plan, month=month, planned_investment=Decimal("100"))
    p.jiefang.planned_start, p.jiefang.actual_start = date(2026, 1, 10), date(2026, 1, 15)
    p.jiefang.save()
    p.gaoxin.stage, p.gaoxin.planned_start = Stage.NEW, date(2026, 2, 1)
    p.gaoxin.save()

    report(p.jiefang, months[1], 100, submitted="2026-01-20")
    report(p.jiefang, months[2], 100, submitted="2026-02-20")
    report(p.jiefang, months[3], 150, submitted="2026-03-20")
    report(p.street, months[1], 50, submitted="2026-01-20")
    report(p.street, months[3], 80, status=ReportStatus.SUBMITTED, submitted="2026-03-28")
    report(p.gaoxin, months[2], 60, submitted="2026-02-24")
    report(p.city, months[3], 90, submitted="2026-03-25")

    MilestoneFactory(
        project=p.jiefang, planned_date=date(2026, 3, 10), actual_date=date(2026, 3, 9)
    )
    MilestoneFactory(project=p.street, planned_date=date(2026, 3, 20), actual_date=None)

    Problem.objects.create(
        project=p.jiefang, description="征地", responsible_unit=city.jiefang,
        deadline=date(2026, 3, 15), status="reported_solved", solved_at=at("2026-03-10"),
    )  # fmt: skip
    Problem.objects.create(
        project=p.street, description="拆迁", responsible_unit=city.street,
        deadline=date(2026, 3, 10),
    )  # fmt: skip
    Task.objects.create(
        content="协调电力", lead_unit=city.gaoxin, deadline=date(2026, 3, 20),
        status="reported_done", done_at=at("2026-03-25"),
    )  # fmt: skip
    Inspection.objects.create(
        project=p.gaoxin, date=date(2026, 2, 12), inspectors="督查一组", findings="正常推进",
        rating=Rating.GOOD,
    )  # fmt: skip
    Inspection.objects.create(
        project=p.gaoxin, date=date(2026, 3, 12), inspectors="督查一组", findings="现场停工",
        rating=Rating.POOR, reported_percent=Decimal("40"), verified_percent=Decimal("20"),
    )  # fmt: skip
    return SimpleNamespace(city=city, periods=months, today=TODAY)
