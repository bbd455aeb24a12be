from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from diaodu.factories import PlanMonthFactory, UserFactory
from diaodu.org.choices import Role
from diaodu.reporting.models import ReportingPeriod


@pytest.fixture
def period(request, city):
    """The open monthly period of 2026-05 of the city's programme, due on the 25th.

    A test using it says on which day of 2026 it runs (`@pytest.mark.today`), so that the city
    and its plans are of that year."""
    assert request.node.get_closest_marker("today") and timezone.localdate().year == 2026, (
        'a test of May 2026\'s period runs on a day of 2026: @pytest.mark.today("2026-05-20")'
    )
    for project in vars(city.projects).values():
        plan = project.annual_plans.get(year=2026)
        PlanMonthFactory(plan=plan, month=5, planned_investment=Decimal("100"))
    return ReportingPeriod.objects.create(
        start=date(2026, 5, 1),
        end=date(2026, 5, 31),
        due_date=date(2026, 5, 25),
        opened_at=timezone.now(),
    )


@pytest.fixture
def ziran_user(city):
    return UserFactory(username="ziran", role=Role.DEPARTMENT, unit=city.ziran)


def at(day: str):
    """An aware datetime at noon in Shanghai on the given day."""
    return timezone.make_aware(datetime.fromisoformat(day + "T12:00:00"))
