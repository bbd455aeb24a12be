"""/api/units/: the unit directory, read-only, for every signed-in user."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from diaodu.factories import UnitFactory, UserFactory
from diaodu.org.choices import Role, UnitKind

UNITS = "/api/units/"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


@pytest.mark.parametrize("username", ["hq", "leader", "inspector", "jiefang", "owner", "nobody"])
def test_every_signed_in_user_reads_the_whole_directory(city, username):
    response = api(getattr(city.users, username)).get(UNITS)
    assert response.status_code == 200
    assert names(response) >= {"解放区", "焦南街道", "高新区", "交通运输局", "指挥部办公室"}
    detail = api(getattr(city.users, username)).get(f"{UNITS}{city.gaoxin.pk}/")
    assert detail.status_code == 200 and detail.json()["name"] == "高新区"


def test_anonymous_and_inactive_users_are_refused(city):
    assert api().get(UNITS).status_code == 401
    assert api().get(f"{UNITS}{city.gaoxin.pk}/").status_code == 401
    inactive = UserFactory(username="left", role=Role.HEADQUARTERS, is_active=False)
    token = Token.objects.create(user=inactive)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(UNITS).status_code == 401


def test_a_unit_carries_its_kind_in_chinese_its_parent_and_aliases(city):
    city.street.aliases = ["焦南办事处"]
    city.street.save()
    body = api(city.users.owner).get(f"{UNITS}{city.street.pk}/").json()
    assert body == {
        "id": city.street.pk,
        "name": "焦南街道",
        "short_name": "",
        "code": "jiaonan",
        "kind": "region",
        "kind_display": "区县",
        "parent": city.jiefang.pk,
        "aliases": ["焦南办事处"],
    }


def test_filters_by_kind_and_by_parent(city):
    client = api(city.users.owner)
    regions = client.get(UNITS, {"kind": UnitKind.REGION})
    assert names(regions) == {"解放区", "焦南街道", "高新区"}
    below = client.get(UNITS, {"parent": city.jiefang.pk})
    assert names(below) == {"焦南街道"}
    assert client.get(UNITS, {"kind": "planet"}).status_code == 400


def test_a_missing_unit_is_404(city):
    assert api(city.users.hq).get(f"{UNITS}999999/").status_code == 404


def test_the_directory_is_read_only_even_for_headquarters(city):
    client = api(city.users.hq)
    created = client.post(UNITS, {"name": "新单位", "code": "new", "kind": "department"})
    assert created.status_code == 405
    url = f"{UNITS}{city.gaoxin.pk}/"
    assert client.patch(url, {"name": "改名"}).status_code == 405
    assert client.delete(url).status_code == 405
    city.gaoxin.refresh_from_db()
    assert city.gaoxin.name == "高新区"


def test_the_list_costs_the_same_queries_however_many_units(city, django_assert_num_queries):
    client = api(city.users.hq)
    client.get(UNITS)
    with django_assert_num_queries(2) as few:  # the count and the page
        client.get(UNITS)
    for n in range(30):
        UnitFactory(name=f"乡镇{n}", code=f"town-{n}", kind=UnitKind.REGION, parent=city.jiefang)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(UNITS).json()["count"] == 9 + 30
