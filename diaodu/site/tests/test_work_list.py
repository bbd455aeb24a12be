"""The work list and the home page at scale: the tasks waiting for a unit are found from the
indexes of their lead unit and of their shares (no join, no DISTINCT over every task), the
same tasks in the same order as before; neither page's queries grow with the rows."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from diaodu.conftest import login
from diaodu.factories import AnnualPlanFactory, ProblemFactory, ProjectFactory, TaskFactory
from diaodu.problems import inbox
from diaodu.problems.choices import TaskStatus
from diaodu.problems.models import Task
from diaodu.projects.models import AnnualPlan, Project

USERS = ["hq", "jiefang", "jiaotong", "owner", "leader"]


def _tasks(city, count: int, seed: int = 0) -> None:
    """Tasks led by or shared with the city's units (with a unit and its child, in some), in
    every state, due on days that repeat."""
    rng = random.Random(seed)
    units = [city.jiefang, city.street, city.gaoxin, city.jiaotong, city.ziran, city.touzi]
    today = timezone.localdate()
    for _ in range(count):
        task = TaskFactory(
            project=rng.choice([*vars(city.projects).values(), None]),
            lead_unit=rng.choice(units),
            deadline=today + timedelta(days=rng.randint(-3, 3)),
            status=rng.choice(list(TaskStatus)),
        )
        task.responsible_units.set(rng.sample(units, rng.randint(0, 3)))


def _joined(user) -> list[int]:
    """The tasks waiting for the user as the work list found them before: joined to their
    shares, once each."""
    units = user.scope_unit_ids
    tasks = Task.objects.visible_to(user)
    assigned = tasks.open().filter(lead_unit_id__in=units) | tasks.open().filter(
        responsible_units__in=units
    )
    return list(assigned.distinct().values_list("pk", flat=True)[: inbox.SHOWN])


@pytest.mark.parametrize("username", USERS)
def test_the_tasks_waiting_are_those_the_join_found(city, username, monkeypatch):
    monkeypatch.setattr(inbox, "SHOWN", 15)
    _tasks(city, 80, seed=len(username))
    user = getattr(city.users, username)
    shown = [task.pk for task in inbox.waiting(user)["tasks"]]
    assert shown == _joined(user)
    assert len(shown) == len(set(shown))


@pytest.mark.parametrize("username", USERS)
def test_the_work_list_reads_a_fixed_number_of_queries(city, username):
    client = login(getattr(city.users, username))
    _tasks(city, 3)
    ProblemFactory(project=city.projects.jiefang, responsible_unit=city.jiaotong)
    client.get(reverse("problems:inbox"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("problems:inbox"))
    _tasks(city, 40, seed=1)
    ProblemFactory.create_batch(20, project=city.projects.jiefang, responsible_unit=city.jiaotong)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("problems:inbox"))
    assert len(many) == len(few)


@pytest.mark.parametrize("username", USERS)
def test_the_home_page_sums_the_scope_in_fixed_queries(city, username):
    year = timezone.localdate().year
    user = getattr(city.users, username)
    client = login(user)
    # The city's projects have their plans of the year; one has last year's too.
    AnnualPlanFactory(project=city.projects.jiefang, year=year - 1, planned_investment=7)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for project in ProjectFactory.create_batch(10, region=city.jiefang):
        AnnualPlanFactory(project=project, year=year, planned_investment=1)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("home"))
    assert len(many) == len(few)
    visible = Project.objects.visible_to(user)
    expected = AnnualPlan.objects.filter(project__in=visible, year=year).aggregate(
        total=Sum("planned_investment")
    )["total"]
    assert page.context["planned"] == expected
    assert page.context["totals"]["count"] == visible.count()
