"""The battle map (挂图作战): every row of the filtered set drawn, an axis that shows every date,
filters and grouping, the scope, bad filters refused in words, and a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from diaodu.conftest import login
from diaodu.core.choices import Light
from diaodu.factories import MilestoneFactory, ProgramFactory, ProjectFactory
from diaodu.monitoring import battle_map
from diaodu.projects.models import Milestone, Program, Project

TODAY = date(2026, 6, 15)
on_today = pytest.mark.today(TODAY)
URL = reverse("battle-map")
API = "/api/battle-map/"


def _programme(count: int) -> Program:
    """A programme of `count` projects, each planned over a year from a different month, each
    with one milestone before its start and one after its completion."""
    program = ProgramFactory(name="大项目计划", code="big")
    projects = Project.objects.bulk_create(
        Project(
            name=f"批量项目{i:03d}",
            total_investment=1000,
            planned_start=date(2025, 1, 1) + timedelta(days=i),
            planned_completion=date(2026, 1, 1) + timedelta(days=i),
        )
        for i in range(count)
    )
    program.projects.add(*projects)
    Milestone.objects.bulk_create(
        Milestone(project=p, name=name, planned_date=day, baseline_date=day)
        for i, p in enumerate(projects)
        for name, day in (
            ("前期", date(2024, 3, 1) + timedelta(days=i)),
            ("验收", date(2027, 9, 1) + timedelta(days=i)),
        )
    )
    return program


@on_today
def test_a_programme_of_500_projects_is_drawn_whole_on_an_axis_that_shows_every_date(city):
    program = _programme(500)
    response = login(city.users.hq).get(URL, {"program": program.pk})
    assert response.status_code == 200
    chart = response.context["chart"]
    assert len(chart["rows"]) == chart["count"] == 500
    assert (chart["first"], chart["last"], chart["pages"]) == (1, 500, 1)
    assert "显示第 1–500 个，共 500 个项目。" in response.content.decode()
    assert response.context["pages"] == {}
    days = [
        *Milestone.objects.filter(project__programs=program).values_list("planned_date", flat=True),
        *Project.objects.filter(programs=program).values_list("planned_start", flat=True),
        *Project.objects.filter(programs=program).values_list("planned_completion", flat=True),
        TODAY,
    ]
    assert chart["axis"]["min"] < min(days) == date(2024, 3, 1)
    assert chart["axis"]["max"] > max(days) == date(2027, 9, 1) + timedelta(days=499)
    assert chart["axis"]["today"] == TODAY
    # Each row has its milestones, coloured by state: the first ones overdue, the last ones due.
    row = chart["rows"][0]
    assert [m["state"] for m in row["milestones"]] == ["overdue", "pending"]
    assert row["planned"] == [date(2025, 1, 1), date(2026, 1, 1)]


@on_today
def test_a_larger_set_is_paged_and_says_which_rows_it_shows(city, monkeypatch):
    monkeypatch.setattr(battle_map, "PAGE_SIZE", 200)
    program = _programme(450)
    client = login(city.users.hq)
    first = client.get(URL, {"program": program.pk, "group": "region"})
    assert first.context["showing"] == "显示第 1–200 个，共 450 个项目。"
    assert len(first.context["rows"]) == 200 and "previous" not in first.context["pages"]
    following = first.context["pages"]["next"]
    assert f"program={program.pk}" in following and "group=region" in following
    last = client.get(URL + following.replace("page=2", "page=3"))
    assert last.context["showing"] == "显示第 401–450 个，共 450 个项目。"
    assert len(last.context["rows"]) == 50 and "next" not in last.context["pages"]
    # Beyond the last page, however far: the last page.
    for far in (99, 10**30):
        beyond = client.get(URL, {"program": program.pk, "page": far})
        assert beyond.context["chart"]["first"] == 401


def _names(response) -> list[str]:
    return [row["name"] for row in response.context["rows"]]


@on_today
def test_filters_by_programme_region_light_and_leader(city):
    other = ProgramFactory(name="其他计划", code="other")
    city.projects.street.programs.set([other])
    Project.objects.filter(pk=city.projects.city.pk).update(light=Light.RED)
    client = login(city.users.hq)
    assert sorted(_names(client.get(URL))) == sorted(
        ["解放区项目", "街道项目", "高新区项目", "全市项目"]
    )
    assert "街道项目" not in _names(client.get(URL, {"program": city.program.pk}))
    assert _names(client.get(URL, {"region": city.gaoxin.pk})) == ["高新区项目"]
    assert _names(client.get(URL, {"light": "red"})) == ["全市项目"]
    assert _names(client.get(URL, {"leader": city.leader.pk})) == ["高新区项目"]
    assert _names(client.get(URL, {"leader": city.leader.pk, "light": "red"})) == []


@on_today
def test_grouping_orders_and_labels_the_rows(city):
    client = login(city.users.hq)
    by_unit = client.get(URL, {"group": "lead_unit"}).context["chart"]
    assert [(r["group"], r["name"]) for r in by_unit["rows"]] == [
        ("交通运输局", "解放区项目"),
        ("自然资源和规划局", "全市项目"),
        ("自然资源和规划局", "街道项目"),
        ("自然资源和规划局", "高新区项目"),
    ]
    assert by_unit["groups"] == [
        {"label": "交通运输局", "count": 1},
        {"label": "自然资源和规划局", "count": 3},
    ]
    by_region = client.get(URL, {"group": "region"}).context["chart"]
    labels = [g["label"] for g in by_region["groups"]]
    assert labels[-1] == "市级项目" and sorted(labels[:-1]) == ["焦南街道", "解放区", "高新区"]
    assert [r["group"] for r in by_region["rows"]][-1] == "市级项目"
    # Without grouping, rows carry no group.
    assert client.get(URL).context["chart"]["groups"] == []


@on_today
def test_a_region_sees_only_its_projects(city):
    client = login(city.users.jiefang)
    assert sorted(_names(client.get(URL))) == ["街道项目", "解放区项目"]
    # Asking for another region's projects finds none; nothing of them is on the page.
    response = client.get(URL, {"region": city.gaoxin.pk})
    assert response.status_code == 200 and _names(response) == []
    assert "高新区项目" not in response.content.decode()
    api = APIClient()
    api.force_authenticate(city.users.jiefang)
    assert sorted(r["name"] for r in api.get(API).json()["rows"]) == ["街道项目", "解放区项目"]


@on_today
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"program": "abc"}, "program", "重点项目计划：没有这个重点项目计划。"),
        ({"program": "999999"}, "program", "重点项目计划：没有这个重点项目计划。"),
        ({"region": "-1"}, "region", "区县：没有这个区县。"),
        ({"light": "purple"}, "light", "预警：“purple”不是预警等级：应为 red、yellow 或 green。"),
        ({"leader": "x"}, "leader", "分包领导：没有这位分包领导。"),
        ({"group": "owner"}, "group", "分组：“owner”不是分组方式：应为 region 或 lead_unit。"),
        ({"page": "0"}, "page", "页码：请写页码，1 或更大的整数。"),
        ({"page": "二"}, "page", "页码：请写页码，1 或更大的整数。"),
    ],
)
def test_a_bad_filter_is_refused_in_words_and_never_a_500(city, query, field, message):
    response = login(city.users.hq).get(URL, query)
    assert response.status_code == 400
    assert response.context["problems"] == [message]
    assert message in response.content.decode()
    api = APIClient()
    api.force_authenticate(city.users.hq)
    answer = api.get(API, query)
    assert answer.status_code == 400
    assert answer.json()[field] == [message.split("：", 1)[1]]


@on_today
def test_a_programme_out_of_scope_is_answered_as_one_that_does_not_exist(city):
    """Programmes are read by every signed-in user; a region picks any, and sees its own rows."""
    response = login(city.users.jiefang).get(URL, {"program": city.program.pk})
    assert sorted(_names(response)) == ["街道项目", "解放区项目"]


def _grow(city, count):
    for _ in range(count):
        project = ProjectFactory(
            region=city.jiefang,
            lead_unit=city.jiaotong,
            planned_start=TODAY - timedelta(days=100),
            planned_completion=TODAY + timedelta(days=300),
            actual_start=TODAY - timedelta(days=90),
        )
        project.programs.set([city.program])
        project.leaders.set([city.leader])
        MilestoneFactory(project=project)
        MilestoneFactory(project=project, actual_date=TODAY)


@on_today
@pytest.mark.parametrize("query", [{}, {"group": "region", "program": "P", "leader": "L"}])
def test_the_queries_do_not_grow_with_the_projects(city, query, django_assert_max_num_queries):
    query = {k: {"P": city.program.pk, "L": city.leader.pk}.get(v, v) for k, v in query.items()}
    client = login(city.users.hq)
    api = APIClient()
    api.force_authenticate(city.users.hq)
    _grow(city, 2)
    client.get(URL, query)
    with CaptureQueriesContext(connection) as page:
        client.get(URL, query)
    page_queries = len(page)
    api.get(API, query)
    with CaptureQueriesContext(connection) as answer:
        api.get(API, query)
    answer_queries = len(answer)
    _grow(city, 30)
    with django_assert_max_num_queries(page_queries):
        assert len(client.get(URL, query).context["rows"]) >= 32
    with django_assert_max_num_queries(answer_queries):
        assert api.get(API, query).json()["count"] >= 32


@on_today
def test_the_page_carries_the_chart_and_the_phone_list(city):
    Project.objects.filter(pk=city.projects.jiefang.pk).update(
        planned_start=date(2026, 1, 1), planned_completion=date(2027, 6, 30)
    )
    MilestoneFactory(project=city.projects.jiefang, name="主体封顶", planned_date=date(2026, 9, 1))
    content = login(city.users.hq).get(URL).content.decode()
    assert 'id="battle-map-data"' in content and "battle_map.js" in content
    assert "echarts.min.js" in content
    # The list a phone shows in place of the chart: planned period, next milestone, light.
    assert "2026-01-01 – 2027-06-30" in content and "主体封顶 2026-09-01" in content
    assert 'class="list-group battle-list d-sm-none"' in content


@on_today
def test_the_api_answers_the_rows_of_the_page(city):
    api = APIClient()
    anonymous = api.get(API)
    assert anonymous.status_code in {401, 403}
    api.force_authenticate(city.users.hq)
    answer = api.get(API, {"program": city.program.pk, "group": "lead_unit"})
    assert answer.status_code == 200
    data = answer.json()
    page = login(city.users.hq).get(URL, {"program": city.program.pk, "group": "lead_unit"})
    assert [r["name"] for r in data["rows"]] == _names(page)
    assert data["axis"]["today"] == TODAY.isoformat()
    assert data["groups"] == [
        {"label": "交通运输局", "count": 1},
        {"label": "自然资源和规划局", "count": 3},
    ]
