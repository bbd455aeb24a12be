"""The dashboard: scoped figures, a fixed number of queries, the API beside the page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from diaodu.conftest import login
from diaodu.factories import AnnualPlanFactory, PlanMonthFactory, ProjectFactory
from diaodu.projects.tests.test_api import api
from diaodu.projects.tests.test_scope import EXPECTED
from diaodu.reporting.models import InvestmentSummary


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_role_sees_its_scope(city, username):
    response = login(getattr(city.users, username)).get(reverse("dashboard"), {"year": 2026})
    assert response.status_code == 200
    assert response.context["data"]["projects"] == len(EXPECTED[username])
    assert api(getattr(city.users, username)).get("/api/dashboard/", {"year": 2026}).json()[
        "projects"
    ] == len(EXPECTED[username])


def test_anonymous(client, city):
    assert client.get(reverse("dashboard")).status_code == 302
    assert api().get("/api/dashboard/").status_code == 401


def test_figures_add_up(city):
    InvestmentSummary.objects.create(
        project=city.projects.jiefang, year=2026, invested=Decimal("600")
    )
    data = login(city.users.hq).get(reverse("dashboard"), {"year": 2026}).context["data"]
    assert data["planned"] == Decimal("4800.00")  # four plans of 1200
    assert data["invested"] == Decimal("600")
    assert data["rate"] == Decimal("12.5")
    regions = {r["region__name"]: r for r in data["regions"]}
    assert regions["解放区"]["invested"] == Decimal("600")


def test_query_count_does_not_grow_with_projects(city, django_assert_num_queries):
    client = login(city.users.hq)
    client.get(reverse("dashboard"))
    with django_assert_num_queries(25) as first:
        client.get(reverse("dashboard"), {"year": 2026})
    for i in range(25):
        project = ProjectFactory(name=f"更多{i}", region=city.gaoxin)
        plan = AnnualPlanFactory(project=project, year=2026)
        PlanMonthFactory(plan=plan, month=3)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("dashboard"), {"year": 2026})


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_map_shows_the_scope_with_lights(city, username, django_assert_max_num_queries):
    for project in vars(city.projects).values():
        project.latitude, project.longitude = Decimal("35.2"), Decimal("113.2")
        project.save()
    client = login(getattr(city.users, username))
    response = client.get(reverse("map"))
    points = response.context["points"]
    assert {p["name"] for p in points} == {
        getattr(city.projects, key).name for key in EXPECTED[username]
    }
    assert all(p["light"] in {"green", "yellow", "red"} for p in points)
    assert b"cdn" not in response.content.lower() and b"leaflet.js" in response.content
