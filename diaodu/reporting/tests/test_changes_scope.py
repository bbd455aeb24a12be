"""What changed between two months, for each reader's projects: a reader who sees every project
gets every project's records, read without testing each record's project; a reader who sees some
gets theirs; in a number of queries that does not grow with the records."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from diaodu.conftest import login
from diaodu.factories import (
    MilestoneFactory,
    ProblemFactory,
    ProgressReportFactory,
    ReportingPeriodFactory,
    TaskFactory,
)
from diaodu.problems.models import Problem
from diaodu.projects.models import Project
from diaodu.reporting import changes
from diaodu.reporting.choices import ReportStatus

pytestmark = pytest.mark.today("2026-11-20")

START, END, TODAY = date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 20)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _happened(city, copies=1):
    """For every project of the city: October's approved report, and `copies` of a problem
    raised and one solved in October, a task overdue in October, a milestone missed and one met;
    and, outside October, a problem raised in August and a report of September."""
    october = ReportingPeriodFactory(day=date(2026, 10, 5))
    september = ReportingPeriodFactory(day=date(2026, 9, 5))
    for i, project in enumerate(vars(city.projects).values()):
        if not project.reports.filter(period=october).exists():
            ProgressReportFactory(
                project=project,
                period=october,
                invested=Decimal(10 * (i + 1)),
                status=ReportStatus.APPROVED,
            )
            ProgressReportFactory(project=project, period=september, status=ReportStatus.APPROVED)
        for _ in range(copies):
            raised, solved, old = (ProblemFactory(project=project) for _ in range(3))
            Problem.objects.filter(pk=raised.pk).update(created_at=_at(date(2026, 10, 2)))
            Problem.objects.filter(pk=solved.pk).update(
                created_at=_at(date(2026, 9, 2)), verified_at=_at(date(2026, 10, 9))
            )
            Problem.objects.filter(pk=old.pk).update(created_at=_at(date(2026, 8, 2)))
            TaskFactory(project=project, deadline=date(2026, 10, 15))
            MilestoneFactory(project=project, planned_date=date(2026, 10, 20))
            MilestoneFactory(
                project=project, planned_date=date(2026, 10, 5), actual_date=date(2026, 10, 3)
            )


def _summary(found):
    def projects(rows):
        return sorted(row.project_id for row in rows)

    return {
        "raised": projects(found.problems_raised),
        "solved": projects(found.problems_solved),
        "tasks": projects(found.tasks_overdue),
        "missed": projects(found.milestones_missed),
        "met": projects(found.milestones_met),
        "investment": [(item.region, item.invested) for item in found.investment],
    }


def test_every_project_for_headquarters_the_same_as_naming_them_all(city):
    _happened(city)
    everything = Project.objects.visible_to(city.users.hq)
    assert not everything.query.has_filters()
    named = Project.objects.filter(pk__in=list(Project.objects.values_list("pk", flat=True)))
    found = _summary(changes.between(everything, START, END, TODAY))
    assert found == _summary(changes.between(named, START, END, TODAY))
    every = sorted(Project.objects.values_list("pk", flat=True))
    assert found["raised"] == found["solved"] == found["tasks"] == every
    assert found["missed"] == found["met"] == every
    # October's reports only, one region each (the city's project in none).
    assert len(found["investment"]) == 4
    assert sorted(i for _r, i in found["investment"]) == [Decimal(n) for n in (10, 20, 30, 40)]


def test_a_region_gets_its_projects_only(city):
    _happened(city)
    found = _summary(
        changes.between(Project.objects.visible_to(city.users.jiefang), START, END, TODAY)
    )
    mine = sorted([city.projects.jiefang.pk, city.projects.street.pk])
    assert found["raised"] == found["solved"] == found["tasks"] == mine
    assert found["missed"] == found["met"] == mine
    assert sum(i for _r, i in found["investment"]) == Decimal("30.00")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("username", ["hq", "jiefang", "owner"])
def test_the_page_queries_do_not_grow_with_the_records(city, username):
    url = reverse("changes") + "?from=2026-09&to=2026-10"
    client = login(getattr(city.users, username))
    _happened(city)
    client.get(url)  # the session and the caches warm
    few = _queries(client, url)
    _happened(city, copies=4)
    assert _queries(client, url) == few


def test_the_page_shows_each_record_with_its_dates_and_what_happened(city):
    from django.utils.translation import gettext

    _happened(city)
    page = login(city.users.hq).get(reverse("changes") + "?from=2026-09&to=2026-10")
    html = page.content.decode()
    row = (
        f"<td>{city.projects.gaoxin.name}</td><td>{{name}}</td><td>2026-10-05</td>"
        f'<td><span class="badge bg-green-lt">{gettext("met")}</span> 2026-10-03</td>'
    )
    met = city.projects.gaoxin.milestones.get(planned_date=date(2026, 10, 5))
    assert row.format(name=met.name) in html
    assert html.count(f'bg-red-lt">{gettext("missed")}</span>') == 4
    assert html.count(f'bg-orange-lt">{gettext("raised")}</span>') == 4
    assert html.count("<td>2026-10-15</td>") == 4  # the tasks' deadline
