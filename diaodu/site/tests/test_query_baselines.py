"""The number of queries of the main pages and API lists, against baselines kept in a file.

Each page is read twice: on the small city with one project of each kind furnished, then after
it has grown by five more (each with a plan, a milestone, an approval, a problem and a task).
Both counts must equal the baseline in `query_baselines.json`: a page whose queries grow with its
rows, or that gained a query, fails here and says so. When a change rightly moves a baseline (a
page shows something new), write the file afresh with
`DIAODU_UPDATE_QUERY_BASELINES=1 pytest diaodu/site/tests/test_query_baselines.py`
and commit it with the change, so that the move is seen in review.
"""

import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from diaodu.factories import (
    AnnualPlanFactory,
    ApprovalFactory,
    MilestoneFactory,
    ProjectFactory,
)
from diaodu.problems.models import Problem, Task

BASELINES = Path(__file__).with_name("query_baselines.json")
UPDATE = os.environ.get("DIAODU_UPDATE_QUERY_BASELINES") == "1"

# name, user (an attribute of city.users), where: a URL name, or a path under /api/.
PAGES = [
    ("home", "hq", "home"),
    ("ledger", "hq", "projects:list"),
    ("ledger (region)", "jiefang", "projects:list"),
    ("project page", "hq", "project"),
    ("dashboard", "hq", "dashboard"),
    ("map", "hq", "map"),
    ("battle map", "hq", "battle-map"),
    ("problems", "hq", "problems:problems"),
    ("tasks", "hq", "problems:tasks"),
    ("work list (region)", "jiefang", "problems:inbox"),
    ("approvals", "hq", "approvals:list"),
    ("reporting periods", "hq", "reporting:periods"),
    ("meetings", "hq", "meetings:list"),
    ("inspections", "hq", "inspections:list"),
    ("notifications", "hq", "notifications:list"),
    ("audit log", "hq", "audit"),
    ("api projects", "hq", "/api/projects/"),
    ("api projects (region)", "jiefang", "/api/projects/"),
    ("api milestones", "hq", "/api/milestones/"),
    ("api approvals", "hq", "/api/approvals/"),
    ("api problems", "hq", "/api/problems/"),
    ("api tasks", "hq", "/api/tasks/"),
    ("api reports", "hq", "/api/reports/"),
    ("api inspections", "hq", "/api/inspections/"),
    ("api meetings", "hq", "/api/meetings/"),
    ("api dashboard", "hq", "/api/dashboard/"),
    ("api audit events", "hq", "/api/audit-events/"),
]


def _grow(city, count, start=0):
    """More projects in the scope of every user of the pages above, each with its parts."""
    year = timezone.localdate().year
    deadline = timezone.localdate() + timezone.timedelta(days=30)
    for i in range(start, start + count):
        project = ProjectFactory(
            name=f"增长项目{i}", region=city.jiefang, owner=city.touzi, lead_unit=city.jiaotong
        )
        project.programs.set([city.program])
        project.leaders.set([city.leader])
        AnnualPlanFactory(project=project, year=year)
        MilestoneFactory(project=project, responsible_unit=city.jiaotong)
        ApprovalFactory(project=project, responsible_department=city.jiaotong)
        Problem.objects.create(
            project=project, description="用地", deadline=deadline, responsible_unit=city.jiefang
        )
        Task.objects.create(
            content="开工", project=project, lead_unit=city.jiefang, deadline=deadline
        )


def _client(user):
    client = APIClient()
    client.force_login(user)
    return client


def _url(city, where):
    if where.startswith("/"):
        return where
    if where == "project":
        return reverse("projects:detail", args=[city.projects.jiefang.pk])
    return reverse(where)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


def _read():
    return json.loads(BASELINES.read_text(encoding="utf-8")) if BASELINES.exists() else {}


@pytest.mark.parametrize(("name", "username", "where"), PAGES, ids=[page[0] for page in PAGES])
def test_queries_match_the_baseline_and_do_not_grow(city, settings, name, username, where):
    # The figures computed, not read kept (diaodu/core/kept.py): the queries that count.
    settings.DIAODU_KEEP_FIGURES = False
    client = _client(getattr(city.users, username))
    url = _url(city, where)
    _grow(city, 1)
    client.get(url)  # the session and the caches are warm, as for a user who is working
    small = _count(client, url)
    _grow(city, 5, start=1)
    large = _count(client, url)
    assert large == small, f"{name}: {small} queries on the small city, {large} once it grew"
    if UPDATE:
        baselines = _read()
        baselines[name] = small
        BASELINES.write_text(
            json.dumps(dict(sorted(baselines.items())), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
        return
    expected = _read().get(name)
    assert expected is not None, (
        f"{name} has no baseline: run with DIAODU_UPDATE_QUERY_BASELINES=1 and commit the file"
    )
    assert small == expected, (
        f"{name}: {small} queries, the baseline is {expected}. If the change is right, run "
        "with DIAODU_UPDATE_QUERY_BASELINES=1 and commit query_baselines.json"
    )


def test_every_baseline_belongs_to_a_page():
    assert set(_read()) == {page[0] for page in PAGES}
