"""Project lights: each rule, its thresholds as settings, and the stored light."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from diaodu.core.choices import Light
from diaodu.factories import MilestoneFactory, PlanMonthFactory, ProjectFactory
from diaodu.monitoring.lights import evaluate, refresh_lights
from diaodu.projects.choices import Stage
from diaodu.reporting.models import InvestmentSummary

TODAY = date(2026, 7, 15)
pytestmark = pytest.mark.today(TODAY)  # the city's plans are of TODAY's year


def verdict(project):
    return evaluate([project], TODAY)[project.pk]


@pytest.fixture
def planned(city):
    """解放区项目: 100 planned each month of 2026, so 600 due by the end of June."""
    project = city.projects.jiefang
    plan = project.annual_plans.get(year=2026)
    for month in range(1, 13):
        PlanMonthFactory(plan=plan, month=month, planned_investment=Decimal("100"))
    return project


@pytest.mark.parametrize(
    "invested, light", [("600", Light.GREEN), ("420", Light.YELLOW), ("200", Light.RED)]
)
def test_investment_against_the_pro_rated_plan(planned, invested, light):
    InvestmentSummary.objects.create(project=planned, year=2026, invested=Decimal(invested))
    result = verdict(planned)
    assert result.light == light
    if light != Light.GREEN:
        assert "序时进度" in result.reasons[0][1] or "pro-rated" in result.reasons[0][1]


def test_thresholds_are_settings(planned, settings):
    InvestmentSummary.objects.create(project=planned, year=2026, invested=Decimal("420"))
    assert verdict(planned).light == Light.YELLOW  # 15 points behind
    settings.DIAODU_LIGHT_INVESTMENT_YELLOW = 20
    assert verdict(planned).light == Light.GREEN
    settings.DIAODU_LIGHT_INVESTMENT_RED = 12
    settings.DIAODU_LIGHT_INVESTMENT_YELLOW = 5
    assert verdict(planned).light == Light.RED


@pytest.mark.parametrize(
    "planned_start, light",
    [
        (date(2026, 7, 1), Light.GREEN),
        (date(2026, 6, 1), Light.YELLOW),
        (date(2026, 3, 1), Light.RED),
    ],
)
def test_start_rule(city, planned_start, light):
    project = ProjectFactory(stage=Stage.NEW, planned_start=planned_start, region=city.jiefang)
    assert verdict(project).light == light


def test_milestone_rule(city):
    project = city.projects.gaoxin
    MilestoneFactory(project=project, planned_date=TODAY - timedelta(days=5))
    assert verdict(project).light == Light.YELLOW
    MilestoneFactory(project=project, planned_date=TODAY - timedelta(days=3))
    assert verdict(project).light == Light.RED
    other = city.projects.city
    MilestoneFactory(project=other, planned_date=TODAY - timedelta(days=40))
    assert verdict(other).light == Light.RED
    MilestoneFactory(
        project=other,
        planned_date=TODAY - timedelta(days=400),
        actual_date=TODAY - timedelta(days=390),
    )
    assert len(verdict(other).reasons) == 1


def test_reporting_rule(city):
    from django.utils import timezone

    from diaodu.reporting.models import ReportingPeriod

    project = city.projects.street
    for month in (5, 6):
        ReportingPeriod.objects.create(
            start=date(2026, month, 1),
            end=date(2026, month, 28),
            due_date=date(2026, month, 25),
            opened_at=timezone.now(),
        )
    result = verdict(project)
    assert result.light == Light.RED and "2026-06-25" in result.reasons[0][1]


def test_overdue_task_makes_it_at_least_yellow(city):
    from diaodu.problems.services import do_assign_task

    project = city.projects.street
    assert verdict(project).light == Light.GREEN
    do_assign_task(
        city.users.hq,
        content="限期整改",
        project=project,
        lead_unit=city.ziran,
        deadline=TODAY - timedelta(days=1),
    )
    assert verdict(project).light == Light.YELLOW


def test_refresh_stores_light_and_reasons_and_a_fixed_number_of_queries(
    planned, django_assert_max_num_queries
):
    InvestmentSummary.objects.create(project=planned, year=2026, invested=Decimal("100"))
    for i in range(20):
        ProjectFactory(name=f"p{i}", stage=Stage.NEW, planned_start=date(2026, 1, 1))
    with django_assert_max_num_queries(14):
        refresh_lights(today=TODAY)
    planned.refresh_from_db()
    assert planned.light == Light.RED
    assert planned.light_reasons and "序时进度" in planned.light_reasons[0][1]
