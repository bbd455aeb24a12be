"""The map: every located project of the scope, carried by the page as compact JSON, in a fixed
number of queries whatever their number."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from diaodu.conftest import login
from diaodu.core.choices import Light
from diaodu.factories import ProjectFactory
from diaodu.projects.choices import Stage
from diaodu.projects.tests.test_scope import EXPECTED


def points_of(response) -> list[dict]:
    """The points as the page's script reads them, each turned back into what the popup and
    the marker show."""
    text = re.search(
        rb'<script id="map-points" type="application/json">(.*?)</script>',
        response.content,
        re.DOTALL,
    )
    assert text, "the page carries its points"
    data = json.loads(text.group(1))
    return [
        {
            "id": pk,
            "lat": Decimal(lat) / data["micro"],
            "lng": Decimal(lng) / data["micro"],
            "light": data["lights"][light],
            "region": data["regions"].get(str(region), ""),
            "stage": data["stages"][stage],
            "url": data["url"].replace(data["placeholder"], str(pk)),
            "name": name,
        }
        for pk, lat, lng, light, region, stage, name in data["points"]
    ]


def locate(projects, lat="35.2", lng="113.2"):
    for project in projects:
        project.latitude, project.longitude = Decimal(lat), Decimal(lng)
        project.save()


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_map_shows_the_scope_with_lights(city, username):
    locate(vars(city.projects).values())
    client = login(getattr(city.users, username))
    response = client.get(reverse("map"))
    points = points_of(response)
    assert {p["name"] for p in points} == {
        getattr(city.projects, key).name for key in EXPECTED[username]
    }
    assert all(p["light"] in {"green", "yellow", "red"} for p in points)
    assert (b"empty-title" in response.content) == (not points)
    # Nothing loaded from another host (a CDN): every script and stylesheet is served here.
    assert not re.search(rb'(src|href)="(https?:)?//', response.content)
    assert b"leaflet.js" in response.content


def test_a_point_says_what_its_popup_showed(city):
    """Each point gives the project's own position, light, region, stage and link."""
    project = city.projects.jiefang
    project.latitude, project.longitude = Decimal("35.123457"), Decimal("-113.000001")
    project.light, project.stage = Light.RED, Stage.NEW
    project.save()
    city_level = city.projects.city
    locate([city_level], "0.000001", "179.999999")
    points = {p["id"]: p for p in points_of(login(city.users.hq).get(reverse("map")))}
    assert set(points) == {project.pk, city_level.pk}
    assert points[project.pk] == {
        "id": project.pk,
        "lat": Decimal("35.123457"),
        "lng": Decimal("-113.000001"),
        "light": "red",
        "region": str(project.region),
        "stage": str(Stage.NEW.label),
        "url": reverse("projects:detail", args=[project.pk]),
        "name": project.name,
    }
    assert points[city_level.pk]["region"] == "" and city_level.region is None
    assert (points[city_level.pk]["lat"], points[city_level.pk]["lng"]) == (
        Decimal("0.000001"),
        Decimal("179.999999"),
    )


def test_a_name_cannot_close_the_script(city):
    project = city.projects.jiefang
    project.name = '</script><script>alert("&")</script>'
    project.save()
    locate([project])
    response = login(city.users.hq).get(reverse("map"))
    assert b"</script><script>alert" not in response.content
    assert [p["name"] for p in points_of(response)] == [project.name]


def test_a_project_without_a_place_is_left_out(city):
    locate([city.projects.jiefang])
    points = points_of(login(city.users.hq).get(reverse("map")))
    assert [p["id"] for p in points] == [city.projects.jiefang.pk]


# The session, the user and its unit, the points, their regions' names, the menu's
# notifications; a region also reads the units below it, a level a query.
QUERIES = {"hq": 6, "jiefang": 8, "owner": 6}


@pytest.mark.parametrize("username", sorted(QUERIES))
def test_the_map_reads_a_fixed_number_of_queries(city, username, django_assert_num_queries):
    user = getattr(city.users, username)
    client = login(user)
    locate(vars(city.projects).values())
    client.get(reverse("map"))
    with django_assert_num_queries(QUERIES[username]):
        assert len(points_of(client.get(reverse("map")))) == len(EXPECTED[username])
    project = city.projects.jiefang
    more = ProjectFactory.create_batch(
        30, region=project.region, owner=project.owner, latitude=Decimal("35.3"), longitude=1
    )
    with django_assert_num_queries(QUERIES[username]):
        shown = points_of(client.get(reverse("map")))
    assert len(shown) == len(EXPECTED[username]) + len(more)
