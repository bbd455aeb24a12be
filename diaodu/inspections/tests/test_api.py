"""The inspections API: scope per role, recording with nested rows, photos, the export."""

import io
from datetime import timedelta

import pytest
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from diaodu.core.exports import XLSX
from diaodu.factories import ProjectFactory
from diaodu.inspections.models import Inspection
from diaodu.inspections.tests.conftest import TODAY, png, record
from diaodu.problems.choices import ProblemSource, TaskSource
from diaodu.problems.models import Problem, Task
from diaodu.projects.tests.test_api import api
from diaodu.projects.tests.test_scope import EXPECTED

URL = "/api/inspections/"


def _names(response):
    assert response.status_code == 200, response.content[:300]
    return {row["project_name"] for row in response.json()["results"]}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_list_and_detail_are_scoped(city, inspected, username):
    client = api(getattr(city.users, username))
    seen = EXPECTED[username] & {"jiefang", "gaoxin", "street"}
    assert _names(client.get(URL)) == {getattr(city.projects, key).name for key in seen}
    for key in ("jiefang", "gaoxin", "street"):
        response = client.get(f"{URL}{getattr(inspected, key).pk}/")
        assert response.status_code == (200 if key in seen else 404), key


def test_anonymous_gets_401(city, inspected):
    assert api().get(URL).status_code == 401
    assert api().get(f"{URL}{inspected.jiefang.pk}/").status_code == 401
    assert api().post(URL, {}, format="json").status_code == 401
    assert api().get(f"{URL}export/").status_code == 401


def test_detail_carries_the_gap_and_the_report(city, inspected, reports):
    body = api(city.users.jiefang).get(f"{URL}{inspected.jiefang.pk}/").json()
    assert body["report"] == reports.may.pk
    assert (body["reported_percent"], body["verified_percent"], body["progress_gap"]) == (
        "60.0",
        "45.0",
        "15.0",
    )
    assert body["overstated"] is True and body["project_name"] == "解放区项目"


def test_filters(city, inspected):
    client = api(city.users.hq)
    assert _names(client.get(URL, {"overstated": "true"})) == {"解放区项目"}
    assert _names(client.get(URL, {"rating": "good"})) == {"高新区项目", "街道项目"}
    assert _names(client.get(URL, {"region": city.gaoxin.pk})) == {"高新区项目"}
    assert _names(client.get(URL, {"project": city.projects.street.pk})) == {"街道项目"}
    record(city, city.projects.city, day=TODAY - timedelta(days=40))
    day = (TODAY - timedelta(days=30)).isoformat()
    assert _names(client.get(URL, {"date_to": day})) == {"全市项目"}
    assert "全市项目" not in _names(client.get(URL, {"date_from": day}))


def _payload(city, **changes):
    data = {
        "project": city.projects.jiefang.pk,
        "date": (TODAY - timedelta(days=1)).isoformat(),
        "inspectors": "黄海、周明",
        "rating": "poor",
        "verified_percent": "40.0",
        "verified_progress": "主体结构完成至二层",
        "findings": "现场察看，现场基本停工，形象进度与填报不符。",
        "problems": [
            {
                "description": "农民工工资支付滞后",
                "category": "funding",
                "responsible_unit": city.touzi.pk,
                "deadline": (TODAY + timedelta(days=15)).isoformat(),
            }
        ],
        "tasks": [
            {
                "content": "十日内全面复工",
                "lead_unit": city.jiefang.pk,
                "deadline": (TODAY + timedelta(days=10)).isoformat(),
            }
        ],
    }
    data.update(changes)
    return data


def test_create_with_problems_and_tasks(city, reports):
    response = api(city.users.inspector).post(URL, _payload(city), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    inspection = Inspection.objects.get(pk=body["id"])
    assert inspection.report == reports.may and body["progress_gap"] == "20.0"
    problem, task = Problem.objects.get(), Task.objects.get()
    assert body["problems"] == [problem.pk] and body["tasks"] == [task.pk]
    assert problem.inspection == inspection and problem.source == ProblemSource.INSPECTION
    assert task.inspection == inspection and task.source == TaskSource.INSPECTION


@pytest.mark.parametrize("who", ["leader", "jiefang", "jiaotong", "owner"])
def test_other_roles_get_403(city, reports, who):
    response = api(getattr(city.users, who)).post(URL, _payload(city), format="json")
    assert response.status_code == 403
    assert not Inspection.objects.exists()


def test_400_lists_every_problem_and_writes_nothing(city, reports):
    payload = _payload(
        city,
        inspectors="",
        date=(TODAY + timedelta(days=3)).isoformat(),
        problems=[
            _payload(city)["problems"][0],
            {"description": "", "responsible_unit": 999999, "deadline": None},
        ],
        tasks=[{"content": "复工", "lead_unit": None}],
    )
    response = api(city.users.inspector).post(URL, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["date"] == [_("The date of the visit cannot be in the future.")]
    assert "inspectors" in body
    assert body["problems"] == [
        {
            "row": 2,
            "errors": {
                "description": [_("Describe the problem.")],
                "responsible_unit": [_("Unknown unit.")],
                "deadline": [_("Give a deadline.")],
            },
        }
    ]
    assert body["tasks"] == [
        {
            "row": 1,
            "errors": {
                "lead_unit": [_("Choose the lead unit.")],
                "deadline": [_("Give a deadline.")],
            },
        }
    ]
    assert not Inspection.objects.exists() and not Problem.objects.exists()
    assert not Task.objects.exists()


def test_unknown_project_and_unreadable_values(city, reports):
    client = api(city.users.inspector)
    response = client.post(URL, _payload(city, project=999999), format="json")
    assert response.status_code == 400 and response.json()["project"] == [_("Unknown project.")]
    response = client.post(URL, _payload(city, rating="excellent"), format="json")
    assert response.status_code == 400 and "rating" in response.json()


def test_an_inspection_is_not_changed_or_deleted_through_the_api(city, inspected):
    url = f"{URL}{inspected.jiefang.pk}/"
    client = api(city.users.hq)
    assert client.patch(url, {"rating": "good"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    assert Inspection.objects.filter(pk=inspected.jiefang.pk, rating="fair").exists()


def test_photos(city, inspected):
    url = f"{URL}{inspected.jiefang.pk}/photos/"
    response = api(city.users.inspector).post(url, {"image": png(), "caption": "现场"})
    assert response.status_code == 201, response.json()
    assert response.json()["caption"] == "现场"
    assert inspected.jiefang.photos.count() == 1
    assert api(city.users.owner).post(url, {"image": png()}).status_code == 403
    assert api(city.users.gaoxin).post(url, {"image": png()}).status_code == 404
    fake = io.BytesIO(b"not an image")
    fake.name = "site.jpg"
    assert api(city.users.inspector).post(url, {"image": fake}).status_code == 400
    body = api(city.users.owner).get(f"{URL}{inspected.jiefang.pk}/").json()
    assert body["photos"][0]["caption"] == "现场"


def test_export(city, inspected):
    response = api(city.users.gaoxin).get(f"{URL}export/")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, max_row=sheet.max_row - 1, values_only=True))
    assert [row[2] for row in rows] == ["高新区项目"]  # after 序号 and the date
    filtered = api(city.users.hq).get(f"{URL}export/", {"overstated": "true"})
    sheet = load_workbook(io.BytesIO(filtered.content)).active
    assert sheet.max_row == 4  # title, header, one row, totals


def test_list_queries_do_not_grow(city, inspected, django_assert_max_num_queries):
    client = api(city.users.jiefang)
    with django_assert_max_num_queries(10) as first:
        client.get(URL)
    for _i in range(8):
        record(
            city,
            ProjectFactory(region=city.jiefang, owner=city.touzi),
            tasks=[
                {"content": "复工", "lead_unit": city.jiefang, "deadline": TODAY},
            ],
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(client.get(URL).json()["results"]) == 10


def test_a_project_id_beyond_the_keys_is_refused_not_a_server_error(city):
    """?project= larger than any key made the database fail (500); now 400 naming it."""
    answer = api(city.users.hq).get(URL, {"project": str(2**70)})
    assert answer.status_code == 400 and set(answer.json()) == {"project"}
    assert api(city.users.hq).get(f"{URL}export/", {"project": str(2**70)}).status_code == 400
