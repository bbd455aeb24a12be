"""The meetings API answers as its schema documents: the agenda, drafts, confirmation."""

from diaodu.core.tests.test_schema import assert_documented, generated_schema
from diaodu.projects.tests.test_api import api

URL = "/api/meetings/"


def test_agenda_drafts_and_confirmation_are_answered_as_documented(city, ledger):
    schema, hq = generated_schema(), api(city.users.hq)
    agenda = hq.get(f"{URL}{ledger.meeting.pk}/agenda/")
    assert agenda.json()["projects"] and agenda.json()["previous_tasks"]
    assert_documented(schema, "GET", "/api/meetings/{id}/agenda/", agenda)

    text = "解放区项目由交通运输局牵头，6月30日前完成施工许可办理。"
    drafts = hq.post(f"{URL}{ledger.meeting.pk}/extract/", {"text": text}, format="json")
    assert drafts.json()["drafts"]
    assert_documented(schema, "POST", "/api/meetings/{id}/extract/", drafts)

    row = {"content": "完成施工许可办理", "project_id": city.projects.jiefang.pk,
           "unit_id": city.jiaotong.pk, "deadline": "2026-06-30"}  # fmt: skip
    for rows, status in [([row, {"content": ""}], 400), ([row], 201)]:
        answer = hq.post(f"{URL}{ledger.meeting.pk}/confirm/", {"tasks": rows}, format="json")
        assert answer.status_code == status, answer.json()
        assert_documented(schema, "POST", "/api/meetings/{id}/confirm/", answer)
