"""Meetings: visibility per role, the agenda, who manages, pages, minutes → tasks."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from diaodu.conftest import login
from diaodu.factories import MilestoneFactory, ProjectFactory
from diaodu.meetings import services
from diaodu.meetings.agenda import DONE, IN_PROGRESS, OVERDUE, build_agenda
from diaodu.meetings.models import Meeting
from diaodu.meetings.tests.conftest import TODAY, make_meeting
from diaodu.problems.choices import ProblemLevel, TaskSource
from diaodu.problems.models import Problem, Task
from diaodu.reporting.choices import Filing

# -- visibility ----------------------------------------------------------------------------

# meeting: city programme in 解放区, attended by 交通运输局.
SCOPE = {
    "hq": True,
    "leader": True,
    "inspector": True,
    "jiefang": True,  # its region
    "gaoxin": False,  # same programme, other region
    "jiaotong": True,  # attends
    "owner": True,  # owns 解放区项目
    "nobody": False,
}


@pytest.mark.parametrize(("who", "sees"), SCOPE.items())
def test_visibility_per_role(city, ledger, who, sees):
    user = getattr(city.users, who)
    assert Meeting.objects.visible_to(user).filter(pk=ledger.meeting.pk).exists() is sees
    response = login(user).get(reverse("meetings:detail", args=[ledger.meeting.pk]))
    assert response.status_code == (200 if sees else 404)
    listed = login(user).get(reverse("meetings:list")).context["page"].object_list
    assert (ledger.meeting in listed) is sees


def test_visibility_by_named_project_and_empty_scope(city):
    named = make_meeting(city, projects=[city.projects.gaoxin])
    everything = make_meeting(city, title="全市调度会")
    users = city.users
    assert set(Meeting.objects.visible_to(users.gaoxin)) == {named, everything}
    assert set(Meeting.objects.visible_to(users.jiaotong)) == {named, everything}
    assert set(Meeting.objects.visible_to(users.jiefang)) == {everything}
    assert not Meeting.objects.visible_to(users.nobody).exists()


def test_anonymous_is_sent_to_login(ledger):
    from django.test import Client

    response = Client().get(reverse("meetings:detail", args=[ledger.meeting.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("hq", True),
        ("leader", True),
        ("inspector", False),
        ("jiefang", False),
        ("jiaotong", False),
        ("owner", False),
        ("nobody", False),
    ],
)
def test_can_manage(city, who, allowed):
    assert services.can_manage(getattr(city.users, who)) is allowed


def test_only_managers_create(city):
    with pytest.raises(PermissionDenied):
        make_meeting_as(city, city.users.jiefang)
    assert login(city.users.jiefang).get(reverse("meetings:new")).status_code == 403
    assert login(city.users.leader).get(reverse("meetings:new")).status_code == 200


def make_meeting_as(city, user):
    return services.do_create_meeting(user, title="会", date=TODAY)


# -- the agenda ----------------------------------------------------------------------------


def test_agenda_lists_what_is_in_scope_and_nothing_else(city, ledger):
    agenda = build_agenda(ledger.meeting, city.users.hq)
    p = city.projects
    assert [(i.project, i.light) for i in agenda.projects] == [
        (p.jiefang, "red"),
        (p.street, "yellow"),
    ]
    assert agenda.projects[0].reasons == ["年度投资完成率落后序时进度35个百分点"]
    assert agenda.milestones == [ledger.late_milestone]
    assert agenda.milestones[0].days_overdue == (TODAY - date(2026, 5, 1)).days
    assert agenda.problems == [ledger.escalated]
    assert [(r.project, r.period, r.filing) for r in agenda.reports] == [
        (p.street, ledger.period, Filing.MISSING)
    ]


def test_agenda_of_a_district_meeting_takes_district_problems(city, ledger):
    ledger.meeting.level = "district"
    ledger.meeting.save()
    problems = build_agenda(ledger.meeting, city.users.hq).problems
    assert [(pr.project, pr.level) for pr in problems] == [
        (city.projects.jiefang, ProblemLevel.DISTRICT_LEADER)
    ]


def test_agenda_only_shows_what_the_reader_sees(city, ledger):
    # The owner of 解放区项目 does not see 街道项目.
    agenda = build_agenda(ledger.meeting, city.users.owner)
    assert [i.project for i in agenda.projects] == [city.projects.jiefang]
    assert agenda.problems == []


def test_tasks_since_the_last_meeting_with_their_state(city, ledger):
    agenda = build_agenda(ledger.meeting, city.users.hq)
    assert agenda.previous == ledger.previous
    states = {item.task: item.state for item in agenda.previous_tasks}
    assert states == {
        ledger.overdue_task: OVERDUE,
        ledger.running_task: IN_PROGRESS,
        ledger.done_task: DONE,
    }


def test_agenda_as_dict(city, ledger):
    data = build_agenda(ledger.meeting, city.users.hq).as_dict()
    assert [row["name"] for row in data["projects"]] == ["解放区项目", "街道项目"]
    assert data["previous_meeting"] == ledger.previous.pk
    assert {row["state"] for row in data["previous_tasks"]} == {DONE, OVERDUE, IN_PROGRESS}


def _more(city, n):
    for _ in range(n):
        project = ProjectFactory(region=city.jiefang, light="red", light_reasons=[["red", "x"]])
        project.programs.set([city.program])
        MilestoneFactory(project=project, planned_date=date(2026, 5, 1))
        Problem.objects.create(
            project=project,
            description="问题",
            responsible_unit=city.ziran,
            deadline=TODAY,
            level=ProblemLevel.CITY_LEADER,
        )


def test_agenda_queries_do_not_grow(city, ledger, django_assert_max_num_queries):
    # 16, and 5 for what changed since the last meeting (lights, problems, tasks, milestones,
    # investment), whatever the number of projects.
    with django_assert_max_num_queries(21) as first:
        build_agenda(ledger.meeting, city.users.jiefang)
    _more(city, 8)
    with django_assert_max_num_queries(len(first.captured_queries)):
        agenda = build_agenda(ledger.meeting, city.users.jiefang)
    assert len(agenda.projects) == 10


def test_detail_page_queries_do_not_grow(city, ledger, django_assert_max_num_queries):
    client = login(city.users.hq)
    url = reverse("meetings:detail", args=[ledger.meeting.pk])
    client.get(url)
    with django_assert_max_num_queries(36) as first:
        client.get(url)
    _more(city, 8)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


# -- pages ---------------------------------------------------------------------------------


def test_list_is_empty_then_paginated(city):
    client = login(city.users.hq)
    response = client.get(reverse("meetings:list"))
    assert response.status_code == 200 and not response.context["page"].object_list
    for day in range(1, 35):
        make_meeting(city, title=f"第{day}次调度会", date=date(2026, 5, 1))
    response = client.get(reverse("meetings:list"))
    assert response.context["page"].paginator.num_pages == 2


def test_detail_shows_agenda_and_downloads(city, ledger):
    response = login(city.users.hq).get(reverse("meetings:detail", args=[ledger.meeting.pk]))
    body = response.content.decode()
    assert "解放区项目" in body and "主体封顶" in body and ledger.escalated.description in body
    assert reverse("meetings:agenda-docx", args=[ledger.meeting.pk]) in body
    assert reverse("meetings:minutes-docx", args=[ledger.meeting.pk]) in body


def test_create_and_edit_with_validation(city):
    client = login(city.users.hq)
    response = client.post(reverse("meetings:new"), {"kind": "scheduling", "title": ""})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"title", "date"}
    response = client.post(
        reverse("meetings:new"),
        {
            "kind": "scheduling",
            "title": "6月调度会",
            "date": "2026-06-20",
            "level": "city",
            "programs": [city.program.pk],
            "attending_units": [city.jiaotong.pk],
        },
    )
    meeting = Meeting.objects.get(title="6月调度会")
    assert response.status_code == 302
    assert meeting.created_by == city.users.hq and list(meeting.programs.all()) == [city.program]
    response = client.post(
        reverse("meetings:edit", args=[meeting.pk]),
        {"kind": "progress", "title": "6月推进会", "date": "2026-06-21", "level": "city"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.kind == "progress" and not meeting.programs.exists()
    assert (
        login(city.users.jiaotong).get(reverse("meetings:edit", args=[meeting.pk])).status_code
        == 403
    )


# -- minutes → draft tasks → confirmed tasks -------------------------------------------------

MINUTES = "会议要求：解放区项目由交通运输局牵头，6月30日前完成施工许可办理。"


def _rows(city, *rows):
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows))}
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                data[f"form-{i}-{key}"] = "on"
            elif value not in (None, False):
                data[f"form-{i}-{key}"] = value
    return data


def test_extract_shows_an_editable_review(city, ledger, fake_extract):
    client = login(city.users.hq)
    response = client.post(reverse("meetings:extract", args=[ledger.meeting.pk]), {"text": MINUTES})
    assert response.status_code == 200
    assert fake_extract == [(MINUTES, ledger.meeting.date)]
    forms = response.context["formset"].forms
    assert [f.initial["project"] for f in forms] == [
        city.projects.jiefang.pk,
        city.projects.street.pk,
    ]
    assert [f.initial["lead_unit"] for f in forms] == [city.jiaotong.pk, city.ziran.pk]
    assert forms[0].initial["deadline"] == date(2026, 6, 30)
    assert "6月30日前完成施工许可办理" in response.content.decode()
    ledger.meeting.refresh_from_db()
    assert ledger.meeting.minutes == MINUTES
    assert not Task.objects.filter(meeting=ledger.meeting).exists()


def test_extract_reads_an_uploaded_docx(city, ledger, fake_extract):
    from io import BytesIO

    from docx import Document

    document = Document()
    document.add_paragraph(MINUTES)
    buffer = BytesIO()
    document.save(buffer)
    upload = SimpleUploadedFile("纪要.docx", buffer.getvalue())
    response = login(city.users.hq).post(
        reverse("meetings:extract", args=[ledger.meeting.pk]), {"file": upload}
    )
    assert response.status_code == 200
    assert MINUTES in fake_extract[0][0]


def test_extract_refuses_other_files_and_readers(city, ledger, fake_extract):
    url = reverse("meetings:extract", args=[ledger.meeting.pk])
    response = login(city.users.hq).post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF")})
    assert response.status_code == 302 and not fake_extract
    assert login(city.users.jiaotong).post(url, {"text": MINUTES}).status_code == 403
    assert login(city.users.gaoxin).post(url, {"text": MINUTES}).status_code == 404


def test_confirm_creates_tasks_in_the_units_inbox(city, ledger):
    p = city.projects
    data = _rows(
        city,
        {
            "include": True,
            "content": "完成施工许可办理",
            "project": p.jiefang.pk,
            "lead_unit": city.jiaotong.pk,
            "deadline": "2026-06-30",
            "sentence": "6月30日前完成施工许可办理。",
        },
        {
            "include": False,
            "content": "不要的",
            "project": "",
            "lead_unit": "",
            "deadline": "",
        },
    )
    response = login(city.users.hq).post(
        reverse("meetings:confirm", args=[ledger.meeting.pk]), data
    )
    assert response.status_code == 302
    task = Task.objects.get(meeting=ledger.meeting)
    assert task.source == TaskSource.MEETING
    assert task.source_text == "6月30日前完成施工许可办理。"
    assert (task.project, task.lead_unit, task.deadline) == (
        p.jiefang,
        city.jiaotong,
        date(2026, 6, 30),
    )
    inbox = login(city.users.jiaotong).get(reverse("problems:inbox"))
    assert task in inbox.context["tasks"]
    detail = login(city.users.hq).get(reverse("meetings:detail", args=[ledger.meeting.pk]))
    assert [item.task for item in detail.context["tasks"]] == [task]


def test_confirm_with_an_invalid_row_creates_nothing(city, ledger):
    data = _rows(
        city,
        {
            "include": True,
            "content": "完成施工许可办理",
            "project": city.projects.jiefang.pk,
            "lead_unit": city.jiaotong.pk,
            "deadline": "2026-06-30",
        },
        {"include": True, "content": "加快征迁", "lead_unit": city.ziran.pk, "deadline": ""},
    )
    response = login(city.users.hq).post(
        reverse("meetings:confirm", args=[ledger.meeting.pk]), data
    )
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert not forms[0].errors and "deadline" in forms[1].errors
    assert not Task.objects.filter(meeting=ledger.meeting).exists()


def test_confirm_rejects_a_project_out_of_scope(city, ledger):
    data = _rows(
        city,
        {
            "include": True,
            "content": "高新区的任务",
            "project": city.projects.gaoxin.pk,
            "lead_unit": city.ziran.pk,
            "deadline": "2026-06-30",
        },
    )
    response = login(city.users.hq).post(
        reverse("meetings:confirm", args=[ledger.meeting.pk]), data
    )
    assert response.status_code == 200 and response.context["formset"].forms[0].errors
    assert not Task.objects.filter(meeting=ledger.meeting).exists()


def test_confirm_service_is_all_or_nothing(city, ledger):
    rows = [
        {
            "content": "完成施工许可办理",
            "project": city.projects.jiefang,
            "lead_unit": city.jiaotong,
            "deadline": date(2026, 6, 30),
        },
        {"content": " ", "project": None, "lead_unit": None, "deadline": None},
    ]
    with pytest.raises(ValidationError) as error:
        services.do_confirm_tasks(city.users.hq, ledger.meeting, rows)
    assert list(error.value.message_dict) == ["1"]
    assert len(error.value.message_dict["1"]) == 3
    assert not Task.objects.filter(meeting=ledger.meeting).exists()
    with pytest.raises(PermissionDenied):
        services.do_confirm_tasks(city.users.jiaotong, ledger.meeting, rows[:1])
