"""The lists of problems and tasks at scale: a page is read by deadline from the index on
(deadline, id) (problems.0007) rather than by sorting every row, in a number of queries that
does not grow with the rows."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from diaodu.conftest import login
from diaodu.factories import ProblemFactory, TaskFactory
from diaodu.problems import views
from diaodu.problems.models import Problem, Task

LISTS = {"problems:problems": (Problem, ProblemFactory), "problems:tasks": (Task, TaskFactory)}


def _many(city, factory, count: int) -> None:
    """Items of the city's projects, due on days that repeat (so that the id breaks ties)."""
    rng = random.Random(count)
    today = timezone.localdate()
    for _ in range(count):
        project = rng.choice(list(vars(city.projects).values()))
        extra = {"responsible_unit": city.jiaotong} if factory is ProblemFactory else {}
        factory(project=project, deadline=today + timedelta(days=rng.randint(-5, 5)), **extra)


@pytest.mark.parametrize("name", sorted(LISTS))
@pytest.mark.parametrize("username", ["hq", "jiefang", "owner"])
def test_the_queries_do_not_grow_with_the_rows(city, name, username):
    model, factory = LISTS[name]
    client = login(getattr(city.users, username))
    _many(city, factory, 3)
    client.get(reverse(name))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(name))
    _many(city, factory, 60)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse(name)).context["page"]
    assert len(many) == len(few)
    visible = model.objects.visible_to(getattr(city.users, username))
    expected = list(
        visible.order_by("deadline", "id").values_list("pk", flat=True)[: views.PAGE_SIZE]
    )
    assert [item.pk for item in page.object_list] == expected and len(expected) > 3


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_page_is_read_in_deadline_order_from_the_index(city, name):
    if connection.vendor != "sqlite":
        pytest.skip("the plan is SQLite's; PostgreSQL chooses by its statistics")
    model, factory = LISTS[name]
    _many(city, factory, 20)
    client = login(city.users.hq)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse(name))
    table = model._meta.db_table
    (sql,) = [q["sql"] for q in queries if q["sql"].startswith(f'SELECT "{table}"."id"')]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " / ".join(row[-1] for row in cursor.fetchall())
    index = f"{model._meta.model_name}_deadline_order"
    assert f"SCAN {table} USING INDEX {index}" in plan and "TEMP B-TREE" not in plan, plan
