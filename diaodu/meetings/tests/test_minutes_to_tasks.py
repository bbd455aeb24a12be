"""The real extractor behind the review page: minutes in, confirmed tasks in the inboxes."""

from datetime import date

from django.urls import reverse

from diaodu.conftest import login
from diaodu.meetings.extraction import extract
from diaodu.meetings.tests.conftest import make_meeting
from diaodu.problems.models import Task

MINUTES = (
    "一、关于项目建设。解放区项目要加快施工进度，确保6月15日前主体完工，由交通运输局牵头负责。"
    "高新区项目要在9月底前完成竣工验收。"
    "二、各单位要进一步提高认识，压实责任，优化营商环境。"
)


def test_dated_tasks_found_matched_and_confirmed_into_the_inbox(city):
    drafts = extract(MINUTES, date(2022, 5, 11))
    found = {d.project_id: d for d in drafts}
    assert set(found) == {city.projects.jiefang.pk, city.projects.gaoxin.pk}  # no exhortation
    first, second = found[city.projects.jiefang.pk], found[city.projects.gaoxin.pk]
    assert "负责" not in first.content and "主体完工" in first.content
    assert (first.deadline, first.deadline_text) == (date(2022, 6, 15), "6月15日前")
    assert (first.unit, first.unit_id) == ("交通运输局", city.jiaotong.pk)  # named after it
    assert second.deadline == date(2022, 9, 30) and second.unit_id is None
    assert all(d.sentence in MINUTES for d in drafts)

    meeting = make_meeting(city, date=date(2026, 6, 12))
    client = login(city.users.hq)
    review = client.post(reverse("meetings:extract", args=[meeting.pk]), {"text": MINUTES})
    formset = review.context["formset"]
    data = {
        "form-TOTAL_FORMS": str(len(formset.forms)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for index, form in enumerate(formset.forms):
        for name, value in form.initial.items():
            if value not in (None, False, ""):
                data[f"form-{index}-{name}"] = "on" if value is True else value
        data[f"form-{index}-include"] = "on"
        data.setdefault(f"form-{index}-lead_unit", city.ziran.pk)
    response = client.post(reverse("meetings:confirm", args=[meeting.pk]), data)
    assert response.status_code == 302, response.context and response.context["formset"].errors
    tasks = Task.objects.filter(meeting=meeting).order_by("deadline")
    assert [t.deadline.month for t in tasks] == [6, 9]
    assert tasks[0].lead_unit == city.jiaotong and tasks[0].source_text in MINUTES
    inbox = login(city.users.jiaotong).get(reverse("problems:inbox"))
    assert tasks[0] in inbox.context["tasks"]


def test_api_extracts_with_the_real_extractor(city):
    meeting = make_meeting(city, date=date(2026, 6, 12))
    response = login(city.users.hq).post(
        reverse("meeting-extract", args=[meeting.pk]), {"text": MINUTES}, "application/json"
    )
    assert response.status_code == 200
    drafts = response.json()["drafts"]
    assert {d["deadline"] for d in drafts} == {"2026-06-15", "2026-09-30"}
    assert {d["project_id"] for d in drafts} == {city.projects.jiefang.pk, city.projects.gaoxin.pk}
