import re

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from diaodu.factories import this_year
from diaodu.projects.tests.test_scope import EXPECTED


def api(user=None, token=False) -> APIClient:
    client = APIClient()
    if user is not None:
        if token:
            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        else:
            client.force_authenticate(user)
    return client


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_project_list_is_scoped_like_the_ledger(city, username):
    response = api(getattr(city.users, username)).get("/api/projects/")
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert names == {getattr(city.projects, key).name for key in EXPECTED[username]}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_project_detail_in_scope_200_out_of_scope_404(city, username):
    client = api(getattr(city.users, username))
    for key, project in vars(city.projects).items():
        response = client.get(f"/api/projects/{project.pk}/")
        assert response.status_code == (200 if key in EXPECTED[username] else 404), key


@pytest.mark.parametrize(
    "path", ["/api/projects/", "/api/units/", "/api/programs/", "/api/schema/"]
)
def test_anonymous_gets_401(city, path):
    assert api().get(path).status_code == 401


def test_token_authentication(city):
    response = api(city.users.jiefang, token=True).get("/api/projects/")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_detail_carries_plan_and_annual_planned(city):
    response = api(city.users.hq).get(f"/api/projects/{city.projects.jiefang.pk}/")
    body = response.json()
    assert body["annual_planned"] == "1200.00"
    assert body["annual_plans"][0]["year"] == this_year()
    assert body["total_investment"] == "10000.00"


def test_project_api_filters_like_the_ledger(city):
    response = api(city.users.hq).get("/api/projects/", {"region": city.gaoxin.pk})
    assert [row["name"] for row in response.json()["results"]] == ["高新区项目"]


def test_project_list_query_count_is_fixed(city, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):  # 6, and 2 for the forecast of the page's projects
        api(city.users.hq).get("/api/projects/")


@pytest.mark.parametrize("username", ["hq", "jiefang", "owner"])
def test_units_and_programs_are_readable_by_signed_in_users(city, username):
    client = api(getattr(city.users, username))
    assert client.get("/api/units/").json()["count"] >= 8
    assert client.get("/api/programs/").json()["count"] == 1
    assert client.get(f"/api/units/{city.gaoxin.pk}/").status_code == 200


def test_schema_and_docs_are_served(city):
    client = api(city.users.hq)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/projects/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # Swagger UI comes from the sidecar's static files: nothing is loaded from another host.
    assert not re.search(rb'(src|href)="(https?:)?//', docs.content)
    assert b'src="/static/drf_spectacular_sidecar/swagger-ui-dist/' in docs.content


def test_projects_carry_their_light_and_reasons(city):
    from diaodu.monitoring.lights import refresh_lights

    refresh_lights()
    body = api(city.users.hq).get(f"/api/projects/{city.projects.jiefang.pk}/").json()
    assert body["light"] in {"green", "yellow", "red"}
    assert isinstance(body["light_reasons"], list)
    red = api(city.users.hq).get("/api/projects/", {"light": "red"}).json()["results"]
    assert all(row["light"] == "red" for row in red)
