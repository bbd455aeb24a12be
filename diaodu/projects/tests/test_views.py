from datetime import timedelta

import pytest
from django.urls import reverse

from diaodu.conftest import login
from diaodu.factories import (
    AnnualPlanFactory,
    ApprovalFactory,
    FundingLineFactory,
    MilestoneFactory,
    PlanMonthFactory,
    ProjectFactory,
    this_year,
    today,
)
from diaodu.problems.models import Problem, Task
from diaodu.projects.tests.test_scope import EXPECTED

LEDGER = reverse("projects:list")


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_ledger_lists_exactly_the_projects_in_scope(city, username):
    response = login(getattr(city.users, username)).get(LEDGER)
    assert response.status_code == 200
    shown = {p.name for p in response.context["page"]}
    assert shown == {getattr(city.projects, key).name for key in EXPECTED[username]}


def test_ledger_redirects_anonymous_to_login(client, city):
    response = client.get(LEDGER)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_ledger_shows_columns_and_money_in_wan(city):
    response = login(city.users.hq).get(LEDGER)
    html = response.content.decode()
    assert "10,000.00" in html  # total investment with thousands separator
    assert "1,200.00" in html  # this year's plan
    assert "交通运输局" in html
    assert "市重点项目" in html


def test_ledger_filters_by_region_and_search(city):
    client = login(city.users.hq)
    response = client.get(LEDGER, {"region": city.gaoxin.pk})
    assert [p.name for p in response.context["page"]] == ["高新区项目"]
    response = client.get(LEDGER, {"q": "街道"})
    assert [p.name for p in response.context["page"]] == ["街道项目"]


def test_leader_sees_own_projects_first(city):
    response = login(city.users.leader).get(LEDGER)
    assert next(iter(response.context["page"])).name == "高新区项目"


def test_ledger_query_count_does_not_grow_with_projects(city, settings, django_assert_num_queries):
    settings.DIAODU_KEEP_FIGURES = False  # the totals computed (diaodu/core/kept.py)
    client = login(city.users.hq)
    client.get(LEDGER)  # warm the session
    with django_assert_num_queries(22) as small:  # 19, and 3 for the SPI and forecast columns
        client.get(LEDGER)
    for i in range(30):
        project = ProjectFactory(name=f"更多项目{i}", region=city.jiefang, owner=city.touzi)
        project.programs.set([city.program])
        project.leaders.set([city.leader])
        AnnualPlanFactory(project=project)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(LEDGER)
    assert response.context["page"].paginator.count == 34


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_project_page_in_scope_200_out_of_scope_404(city, username):
    client = login(getattr(city.users, username))
    for key, project in vars(city.projects).items():
        response = client.get(reverse("projects:detail", args=[project.pk]))
        assert response.status_code == (200 if key in EXPECTED[username] else 404), key


def test_project_page_redirects_anonymous(client, city):
    response = client.get(reverse("projects:detail", args=[city.projects.jiefang.pk]))
    assert response.status_code == 302


def _furnish(project, n):
    plan = project.annual_plans.get(year=this_year())
    for month in range(1, n + 1):
        PlanMonthFactory(plan=plan, month=month)
    for _ in range(n):
        MilestoneFactory(project=project, responsible_unit=project.lead_unit)
    FundingLineFactory(project=project)
    ApprovalFactory(project=project, responsible_department=project.lead_unit)
    deadline = today() + timedelta(days=30)
    for _ in range(n):
        Problem.objects.create(
            project=project,
            description="用地",
            deadline=deadline,
            responsible_unit=project.lead_unit,
        )
        Task.objects.create(
            content="开工", project=project, lead_unit=project.lead_unit, deadline=deadline
        )


def test_project_page_query_count_is_fixed(city, django_assert_num_queries):
    client = login(city.users.hq)
    small, large = city.projects.jiefang, city.projects.gaoxin
    _furnish(small, 1)
    _furnish(large, 12)
    AnnualPlanFactory(project=large, year=this_year() - 1)
    client.get(reverse("home"))
    # 27, 3 for the earned value and forecast panel, 1 for the months kept (trends).
    with django_assert_num_queries(31) as first:
        client.get(reverse("projects:detail", args=[small.pk]))
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("projects:detail", args=[large.pk]))
    html = response.content.decode()
    assert "地方政府专项债券" in html or "special bonds" in html


def test_project_page_shows_plan_milestones_approvals_funding(city):
    project = city.projects.jiefang
    _furnish(project, 2)
    response = login(city.users.jiefang).get(reverse("projects:detail", args=[project.pk]))
    html = response.content.decode()
    assert "1,200.00" in html
    assert project.milestones.first().name in html
    assert "5,000.00" in html


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_home_page_counts_the_scope(city, username):
    response = login(getattr(city.users, username)).get(reverse("home"))
    assert response.status_code == 200
    assert response.context["totals"]["count"] == len(EXPECTED[username])


def test_admin_is_for_headquarters_staff(city):
    assert login(city.users.jiefang).get("/admin/").status_code == 302
    city.users.hq.is_staff = True
    city.users.hq.is_superuser = True
    city.users.hq.save()
    assert login(city.users.hq).get("/admin/projects/project/").status_code == 200
