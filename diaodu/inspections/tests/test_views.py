"""The inspection pages, the project page's records and the dashboard's card, per role."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from diaodu.conftest import login
from diaodu.core.exports import XLSX
from diaodu.factories import ProjectFactory
from diaodu.inspections.choices import Rating
from diaodu.inspections.models import Inspection
from diaodu.inspections.tests.conftest import TODAY, png, record
from diaodu.problems.choices import ProblemSource
from diaodu.problems.models import Problem, Task
from diaodu.projects.tests.test_scope import EXPECTED

LIST = reverse("inspections:list")
NEW = reverse("inspections:new")


def _listed(response):
    return {i.project.name for i in response.context["page"].object_list}


# -- scope ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_list_and_detail_follow_the_project_scope(city, inspected, username):
    client = login(getattr(city.users, username))
    seen = EXPECTED[username] & {"jiefang", "gaoxin", "street"}
    assert _listed(client.get(LIST)) == {getattr(city.projects, key).name for key in seen}
    for key in ("jiefang", "gaoxin", "street"):
        url = reverse("inspections:detail", args=[getattr(inspected, key).pk])
        assert client.get(url).status_code == (200 if key in seen else 404), key


def test_anonymous_is_sent_to_login(city, inspected):
    pk = inspected.jiefang.pk
    for url in (
        LIST,
        reverse("inspections:export"),
        reverse("inspections:detail", args=[pk]),
        f"{NEW}?project={city.projects.jiefang.pk}",
    ):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    response = Client().post(reverse("inspections:photo", args=[pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


# -- the list ------------------------------------------------------------------------------


def test_list_shows_the_gap_and_what_was_raised(city, inspected):
    record(
        city,
        city.projects.gaoxin,
        seen="30",
        day=TODAY - timedelta(days=1),
        rating=Rating.POOR,
        problems=[
            {
                "description": "停工",
                "responsible_unit": city.gaoxin,
                "deadline": TODAY + timedelta(days=9),
            }
        ],
    )
    response = login(city.users.hq).get(LIST)
    first = response.context["page"].object_list[0]
    assert (first.project.name, first.problem_count, first.task_count) == ("高新区项目", 1, 0)
    html = response.content.decode()
    assert "table-danger" in html and "bg-red" in html and "黄海、周明" in html


def test_list_filters(city, inspected):
    client = login(city.users.hq)
    assert _listed(client.get(LIST, {"overstated": "true"})) == {"解放区项目"}
    assert _listed(client.get(LIST, {"overstated": "false"})) == {"高新区项目", "街道项目"}
    assert _listed(client.get(LIST, {"rating": "fair"})) == {"解放区项目"}
    assert _listed(client.get(LIST, {"region": city.gaoxin.pk})) == {"高新区项目"}
    old = record(city, city.projects.city, day=TODAY - timedelta(days=40))
    dated = client.get(LIST, {"date_to": (TODAY - timedelta(days=30)).isoformat()})
    assert list(dated.context["page"].object_list) == [old]
    recent = client.get(LIST, {"date_from": (TODAY - timedelta(days=30)).isoformat()})
    assert old not in recent.context["page"].object_list


def test_list_is_empty_then_paginated(city, reports):
    client = login(city.users.inspector)
    response = client.get(LIST)
    assert not response.context["page"].object_list
    assert _("No inspections match") in response.content.decode()
    for day in range(31):
        record(city, day=TODAY - timedelta(days=day))
    response = client.get(LIST)
    assert response.context["page"].paginator.num_pages == 2
    assert len(response.context["page"].object_list) == 30


def test_list_queries_do_not_grow_with_rows(city, inspected, django_assert_max_num_queries):
    client = login(city.users.jiefang)
    client.get(LIST)
    with django_assert_max_num_queries(10) as first:
        client.get(LIST)
    for _i in range(10):
        project = ProjectFactory(region=city.jiefang, owner=city.touzi)
        record(
            city,
            project,
            problems=[
                {
                    "description": "问题",
                    "responsible_unit": city.jiefang,
                    "deadline": TODAY + timedelta(days=3),
                }
            ],
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 12


def test_export_has_the_filtered_rows(city, inspected):
    response = login(city.users.jiefang).get(reverse("inspections:export"), {"overstated": "true"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, max_row=sheet.max_row - 1, values_only=True))
    assert [row[0] for row in rows] == [1]  # 序号
    assert [row[2] for row in rows] == ["解放区项目"]
    assert rows[0][6:9] == (0.6, 0.45, 15.0)  # percentages as fractions; the gap in points
    percent = sheet.cell(row=3, column=7)
    assert percent.number_format == "0.0%"


# -- detail --------------------------------------------------------------------------------


def test_detail_shows_everything(city, inspected):
    inspection = inspected.jiefang
    problem = Problem.objects.create(
        project=inspection.project,
        description="施工人员不足",
        responsible_unit=city.touzi,
        deadline=TODAY,
        inspection=inspection,
        source=ProblemSource.INSPECTION,
    )
    response = login(city.users.owner).get(reverse("inspections:detail", args=[inspection.pk]))
    html = response.content.decode()
    assert reverse("reporting:report", args=[inspection.report_id]) in html
    assert reverse("problems:problem", args=[problem.pk]) in html
    assert "现场察看，形象进度与填报不符。" in html and "bg-red" in html
    assert "主体结构完成至三层" in html
    assert response.context["history"].count() == 1
    assert not response.context["can_inspect"]  # no photo form for the owner
    assert reverse("inspections:photo", args=[inspection.pk]) not in html


def test_photos_from_the_detail_page(city, inspected):
    url = reverse("inspections:photo", args=[inspected.jiefang.pk])
    assert login(city.users.owner).post(url, {"image": png()}).status_code == 403
    assert login(city.users.gaoxin).post(url, {"image": png()}).status_code == 404
    client = login(city.users.inspector)
    client.post(url, {"image": io.BytesIO(b"not an image")})
    assert not inspected.jiefang.photos.exists()
    response = client.post(url, {"image": png(), "caption": "塔吊闲置"}, follow=True)
    assert inspected.jiefang.photos.get().caption == "塔吊闲置"
    assert "塔吊闲置" in response.content.decode()
    assert len(response.context["history"]) == 2
    # The photo itself: for those who see the project only, through its view.
    photo_url = reverse("inspections:photo-file", args=[inspected.jiefang.photos.get().pk])
    assert photo_url in response.content.decode()
    assert login(city.users.jiefang).get(photo_url).status_code == 200
    assert login(city.users.gaoxin).get(photo_url).status_code == 404


# -- the form ------------------------------------------------------------------------------


def _post_data(city, **changes):
    data = {
        "project": city.projects.jiefang.pk,
        "date": (TODAY - timedelta(days=1)).isoformat(),
        "inspectors": "黄海、周明",
        "rating": "poor",
        "verified_percent": "40",
        "verified_progress": "主体结构完成至二层",
        "findings": "现场察看，形象进度与填报不符，现场基本停工。",
        "problems-TOTAL_FORMS": "2",
        "problems-INITIAL_FORMS": "1",
        "problems-0-description": "农民工工资支付滞后",
        "problems-0-category": "funding",
        "problems-0-responsible_unit": city.touzi.pk,
        "problems-0-deadline": (TODAY + timedelta(days=15)).isoformat(),
        "problems-1-description": "",
        "problems-1-category": "other",
        "problems-1-responsible_unit": "",
        "problems-1-deadline": "",
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "1",
        "tasks-0-content": "十日内全面复工",
        "tasks-0-lead_unit": city.jiefang.pk,
        "tasks-0-deadline": (TODAY + timedelta(days=10)).isoformat(),
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["leader", "jiefang", "jiaotong", "owner", "nobody"])
def test_only_inspectors_and_headquarters_get_the_form(city, reports, who):
    client = login(getattr(city.users, who))
    url = f"{NEW}?project={city.projects.jiefang.pk}"
    assert client.get(url).status_code == 403
    assert client.post(url, _post_data(city)).status_code == 403
    assert not Inspection.objects.exists()


def test_the_form_shows_the_report_to_check(city, reports):
    client = login(city.users.hq)
    response = client.get(f"{NEW}?project={city.projects.jiefang.pk}")
    assert response.status_code == 200 and response.context["report"] == reports.may
    assert reverse("reporting:report", args=[reports.may.pk]) in response.content.decode()
    # The first rows start with the units most likely responsible.
    assert response.context["problem_set"].forms[0].initial == {"responsible_unit": city.jiefang.pk}
    assert client.get(f"{NEW}?project=999999").status_code == 404
    assert client.get(NEW).status_code == 404


def test_an_inspector_records_with_a_problem_a_task_and_a_photo(city, reports):
    client = login(city.users.inspector)
    url = f"{NEW}?project={city.projects.jiefang.pk}"
    response = client.post(url, {**_post_data(city), "photo": png(), "caption": "现场"})
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:detail", args=[inspection.pk])
    assert inspection.progress_gap == 20 and inspection.rating == Rating.POOR
    assert inspection.problems.get().description == "农民工工资支付滞后"  # the empty row skipped
    assert inspection.tasks.get().lead_unit == city.jiefang
    assert inspection.photos.get().caption == "现场"


def test_errors_are_shown_beside_what_was_typed_and_nothing_is_recorded(city, reports):
    client = login(city.users.inspector)
    data = _post_data(
        city,
        findings="",
        **{
            "problems-0-deadline": "",
            "problems-1-description": "施工图审查未完成",
            "tasks-0-lead_unit": "",
        },
    )
    response = client.post(f"{NEW}?project={city.projects.jiefang.pk}", data)
    assert response.status_code == 200
    assert not Inspection.objects.exists() and not Problem.objects.exists()
    assert not Task.objects.exists()
    form = response.context["form"]
    assert form.errors["findings"]
    rows = response.context["problem_set"].forms
    assert rows[0].errors["deadline"] == [_("Give a deadline.")]
    assert rows[1].errors["responsible_unit"] == [_("Choose the responsible unit.")]
    assert response.context["task_set"].forms[0].errors["lead_unit"] == [_("Choose the lead unit.")]
    html = response.content.decode()
    assert "农民工工资支付滞后" in html and "施工图审查未完成" in html and "十日内全面复工" in html


def test_a_value_that_cannot_be_read_is_said_with_every_other_error(city, reports):
    client = login(city.users.inspector)
    data = _post_data(city, verified_percent="很多", **{"problems-0-deadline": "明天"})
    data["inspectors"] = ""
    response = client.post(f"{NEW}?project={city.projects.jiefang.pk}", data)
    assert not Inspection.objects.exists()
    form = response.context["form"]
    assert set(form.errors) == {"verified_percent", "inspectors"}
    assert len(response.context["problem_set"].forms[0].errors["deadline"]) == 1


def test_a_date_in_the_future_is_refused(city, reports):
    client = login(city.users.inspector)
    data = _post_data(city, date=(TODAY + timedelta(days=1)).isoformat())
    response = client.post(f"{NEW}?project={city.projects.jiefang.pk}", data)
    assert response.context["form"].errors["date"] == [
        _("The date of the visit cannot be in the future.")
    ]
    assert not Inspection.objects.exists()


# -- the project page and the dashboard ----------------------------------------------------


def test_project_page_lists_the_inspections(city, inspected):
    url = reverse("projects:detail", args=[city.projects.jiefang.pk])
    response = login(city.users.owner).get(url)
    html = response.content.decode()
    assert response.context["inspections"] == [inspected.jiefang]
    assert reverse("inspections:detail", args=[inspected.jiefang.pk]) in html
    assert "bg-red" in html and "60.0%" in html and "45.0%" in html
    assert f"{NEW}?project=" not in html  # the owner cannot record one
    response = login(city.users.inspector).get(url)
    assert f"{NEW}?project={city.projects.jiefang.pk}" in response.content.decode()


def _card(client):
    return [
        (row["project_name"], row["progress_gap"])
        for row in client.get(reverse("dashboard")).context["data"]["overstated"]
    ]


def test_dashboard_lists_projects_whose_latest_inspection_overstates(city, inspected, settings):
    hq = login(city.users.hq)
    assert _card(hq) == [("解放区项目", 15)]
    assert _card(login(city.users.gaoxin)) == []  # not in its scope
    assert _card(login(city.users.jiefang)) == [("解放区项目", 15)]
    # An inspection within the setting is not listed.
    record(city, city.projects.gaoxin, seen="41", day=TODAY)  # 9 points
    assert _card(hq) == [("解放区项目", 15)]
    settings.DIAODU_PROGRESS_GAP = 8
    assert _card(hq) == [("解放区项目", 15), ("高新区项目", 9)]
    settings.DIAODU_PROGRESS_GAP = 10
    # A newer inspection that finds the report borne out takes the project off the card.
    record(city, seen="58", day=TODAY, rating=Rating.GOOD)
    assert _card(hq) == []
    assert "bg-red" not in hq.get(reverse("dashboard")).content.decode()


def test_dashboard_card_links_and_api(city, inspected):
    from diaodu.projects.tests.test_api import api

    html = login(city.users.hq).get(reverse("dashboard")).content.decode()
    assert reverse("inspections:detail", args=[inspected.jiefang.pk]) in html
    body = api(city.users.hq).get("/api/dashboard/").json()
    assert body["overstated"] == [
        {
            "project_id": city.projects.jiefang.pk,
            "date": (TODAY - timedelta(days=2)).isoformat(),
            "reported_percent": "60.0",
            "verified_percent": "45.0",
            "progress_gap": "15.0",
            "inspection_id": inspected.jiefang.pk,
            "project_name": "解放区项目",
        }
    ]
