"""The meetings API: scope, writes for managers only, agenda, extraction and confirmation."""

from datetime import date

from diaodu.meetings.documents import DOCX
from diaodu.meetings.models import Meeting
from diaodu.problems.choices import TaskSource
from diaodu.problems.models import Task
from diaodu.projects.tests.test_api import api

URL = "/api/meetings/"


def test_list_and_detail_are_scoped(city, ledger):
    assert api().get(URL).status_code in {401, 403}
    ids = {row["id"] for row in api(city.users.gaoxin).get(URL).json()["results"]}
    assert ledger.meeting.pk not in ids and ledger.other_kind.pk in ids  # empty scope
    assert api(city.users.gaoxin).get(f"{URL}{ledger.meeting.pk}/").status_code == 404
    body = api(city.users.jiefang).get(f"{URL}{ledger.meeting.pk}/").json()
    assert body["programs"] == [city.program.pk] and body["regions"] == [city.jiefang.pk]


def test_create_update_delete_for_managers_only(city, ledger):
    data = {"title": "7月调度会", "date": "2026-07-10", "kind": "scheduling", "level": "city"}
    assert api(city.users.jiefang).post(URL, data, format="json").status_code == 403
    response = api(city.users.hq).post(URL, {**data, "programs": [city.program.pk]}, format="json")
    assert response.status_code == 201, response.json()
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert meeting.created_by == city.users.hq
    response = api(city.users.leader).patch(
        f"{URL}{meeting.pk}/", {"place": "市委会议室"}, format="json"
    )
    assert response.status_code == 200 and response.json()["place"] == "市委会议室"
    assert (
        api(city.users.jiaotong)
        .patch(f"{URL}{ledger.meeting.pk}/", {"place": "x"}, format="json")
        .status_code
        == 403
    )
    assert api(city.users.jiefang).delete(f"{URL}{meeting.pk}/").status_code == 403
    assert api(city.users.hq).delete(f"{URL}{meeting.pk}/").status_code == 204


def test_agenda(city, ledger):
    body = api(city.users.hq).get(f"{URL}{ledger.meeting.pk}/agenda/").json()
    assert [row["name"] for row in body["projects"]] == ["解放区项目", "街道项目"]
    assert [row["id"] for row in body["problems"]] == [ledger.escalated.pk]
    assert len(body["previous_tasks"]) == 3
    assert api(city.users.gaoxin).get(f"{URL}{ledger.meeting.pk}/agenda/").status_code == 404


def test_extract(city, ledger, fake_extract):
    url = f"{URL}{ledger.meeting.pk}/extract/"
    response = api(city.users.hq).post(url, {"text": "纪要"}, format="json")
    assert response.status_code == 200
    drafts = response.json()["drafts"]
    assert [d["project_id"] for d in drafts] == [city.projects.jiefang.pk, city.projects.street.pk]
    assert drafts[0]["deadline"] == "2026-06-30"
    assert api(city.users.jiefang).post(url, {"text": "纪要"}, format="json").status_code == 403
    assert api(city.users.hq).post(url, {}, format="json").status_code == 400


def test_confirm_all_or_nothing(city, ledger):
    url = f"{URL}{ledger.meeting.pk}/confirm/"
    good = {
        "content": "完成施工许可办理",
        "project_id": city.projects.jiefang.pk,
        "unit_id": city.jiaotong.pk,
        "deadline": "2026-06-30",
        "sentence": "6月30日前完成施工许可办理。",
    }
    bad = {"content": "", "project_id": 999999, "unit_id": None}
    response = api(city.users.hq).post(url, {"tasks": [good, bad, bad]}, format="json")
    assert response.status_code == 400
    errors = response.json()["tasks"]
    assert [e["row"] for e in errors] == [2, 3] and len(errors[0]["errors"]) == 4
    assert not Task.objects.filter(meeting=ledger.meeting).exists()

    assert api(city.users.jiefang).post(url, {"tasks": [good]}, format="json").status_code == 403
    assert api(city.users.gaoxin).post(url, {"tasks": [good]}, format="json").status_code == 404

    response = api(city.users.hq).post(url, {"tasks": [good]}, format="json")
    assert response.status_code == 201
    task = Task.objects.get(meeting=ledger.meeting)
    assert task.source == TaskSource.MEETING and task.deadline == date(2026, 6, 30)
    assert response.json()[0]["id"] == task.pk


def test_documents(city, ledger):
    for action in ("agenda-docx", "minutes-docx"):
        response = api(city.users.jiefang).get(f"{URL}{ledger.meeting.pk}/{action}/")
        assert response.status_code == 200 and response["Content-Type"] == DOCX


def test_list_queries_do_not_grow(city, ledger, django_assert_max_num_queries):
    client = api(city.users.jiefang)
    with django_assert_max_num_queries(15) as first:
        client.get(URL)
    for i in range(5):
        from diaodu.meetings.tests.conftest import make_meeting

        make_meeting(city, title=f"第{i}次", regions=[city.jiefang], attending_units=[city.jiefang])
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(client.get(URL).json()["results"]) == 8
