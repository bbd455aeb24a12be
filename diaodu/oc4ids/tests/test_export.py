"""The OC4IDS export of a small city, field by field; who gets what; the API and the command."""

import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from diaodu.assessment.choices import PeriodKind as WindowKind
from diaodu.assessment.periods import Window
from diaodu.bulletins.documents import (
    Content,
    Figures,
    OverdueTask,
    OverdueUnit,
    RedProject,
    bulletin_docx,
)
from diaodu.core.tests.test_schema import assert_documented, generated_schema
from diaodu.factories import (
    BulletinFactory,
    FundingLineFactory,
    MeetingFactory,
    MilestoneFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    TaskFactory,
)
from diaodu.oc4ids import api as oc4ids_api
from diaodu.oc4ids.tests.standard import codelist_violations, errors
from diaodu.projects.choices import Category, FundingSource, Stage
from diaodu.projects.tests.test_api import api
from diaodu.reporting.choices import PeriodKind, ReportStatus

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-05-20")]

URL = "/api/oc4ids/"
DAY = date(2026, 5, 20)


def _by_id(package: dict) -> dict:
    return {project["id"]: project for project in package["projects"]}


def _bulletin(red: list[str], overdue: list[str]):
    """An issued bulletin whose Word file names `red` among its red projects and `overdue` as
    the projects of overdue tasks."""
    window = Window(WindowKind.MONTH, 2026, 4)
    with translation.override("zh-hans"):
        content = Content(
            window=window,
            title="重点项目建设情况通报（2026年4月）",
            period="2026年4月",
            as_of=date(2026, 4, 30),
            figures=Figures(),
            groups=[],
            red_projects=[RedProject("解放区", name, "投资进度滞后。") for name in red],
            overdue=[
                OverdueUnit("交通运输局", [OverdueTask("完成管线迁改", n, date(2026, 4, 1))])
                for n in overdue
            ],
            issued_on=date(2026, 5, 8),
            issue=5,
        )
        word = bulletin_docx(content)
    bulletin = BulletinFactory(kind=WindowKind.MONTH, year=2026, number=4, title=content.title)
    bulletin.document.save("bulletin.docx", ContentFile(word))
    return bulletin


@pytest.fixture
def project(city):
    """解放区's project with every part the export maps."""
    project = city.projects.jiefang
    project.national_code = "2111-522323-04-01-342068"
    project.scope = "新建道路3.2公里，桥梁2座"
    project.category = Category.TRANSPORT
    project.stage = Stage.CONTINUING
    project.address = "解放区民主路与建设路交叉口"
    project.latitude, project.longitude = Decimal("35.215300"), Decimal("113.241800")
    project.planned_start, project.planned_completion = date(2025, 3, 1), date(2027, 6, 30)
    project.actual_start = date(2025, 4, 10)
    project.total_investment = Decimal("12345.67")
    project.save()
    project.responsible_units.set([city.ziran])
    FundingLineFactory(project=project, source=FundingSource.CENTRAL_BUDGET, planned="3000.50")
    FundingLineFactory(
        project=project, source=FundingSource.SELF_RAISED, planned="2000.00", secured="0"
    )
    MilestoneFactory(
        project=project,
        name="施工许可证办结",
        planned_date=date(2026, 3, 31),
        actual_date=date(2026, 3, 28),
    )
    MilestoneFactory(project=project, name="主体结构封顶", planned_date=date(2026, 5, 1))
    MilestoneFactory(project=project, name="路面摊铺", planned_date=date(2026, 8, 1))
    for month, invested, percent in ((3, "150.25", "30.0"), (4, "200.00", "42.5")):
        ProgressReportFactory(
            project=project,
            period=ReportingPeriodFactory(day=date(2026, month, 10)),
            status=ReportStatus.APPROVED,
            invested=Decimal(invested),
            physical_percent=Decimal(percent),
            physical_progress=f"{month}月形象进度",
        )
    # Not approved: counted nowhere.
    ProgressReportFactory(
        project=project,
        period=ReportingPeriodFactory(day=DAY),
        status=ReportStatus.SUBMITTED,
        invested=Decimal("999.00"),
    )
    return project


def test_a_project_field_by_field(city, project):
    meeting = MeetingFactory(title="四月重点项目调度会", date=date(2026, 4, 15), minutes="纪要")
    TaskFactory(project=project, meeting=meeting, lead_unit=city.jiaotong)
    MeetingFactory(title="下周调度会", date=DAY + timedelta(days=7)).projects.set([project])
    bulletin = _bulletin(red=[project.name], overdue=[])

    response = api(city.users.hq).get(URL)

    assert response.status_code == 200
    package = response.json()
    assert errors(package) == [] and codelist_violations(package) == []
    assert package["uri"] == "http://127.0.0.1:8000/api/oc4ids/"
    assert package["version"] == "0.9"
    assert package["publisher"] == {"name": "焦作市重点项目建设指挥部办公室"}
    data = _by_id(package)[f"oc4ids-diaodu-{project.pk}"]
    assert data["identifiers"] == [
        {"id": "2111-522323-04-01-342068", "scheme": "CN-TZXM"},
        {"id": str(project.pk), "scheme": "diaodu"},
    ]
    assert (data["title"], data["description"]) == (project.name, "新建道路3.2公里，桥梁2座")
    assert (data["status"], data["type"], data["sector"]) == (
        "implementation",
        "construction",
        ["transport"],
    )
    assert data["language"] == "zh"

    parties = {party["id"]: party for party in data["parties"]}
    touzi, jiaotong, ziran = (f"unit-{u.pk}" for u in (city.touzi, city.jiaotong, city.ziran))
    assert parties[touzi]["name"] == "市投资集团"
    assert parties[touzi]["roles"] == ["publicAuthority", "funder"]  # its own funds
    assert parties[touzi]["details"] == {"diaoduRoles": ["owner"]}
    assert parties[jiaotong]["roles"] == ["administrativeEntity"]
    assert parties[jiaotong]["details"] == {"diaoduRoles": ["leadUnit"]}
    assert parties[ziran]["details"] == {"diaoduRoles": ["responsibleUnit"]}
    assert parties["funding-central_budget"] == {
        "id": "funding-central_budget",
        "name": "中央预算内投资",
        "roles": ["funder"],
    }
    assert data["publicAuthority"] == {"id": touzi, "name": "市投资集团"}

    assert data["budget"]["amount"] == {"amount": 123456700, "currency": "CNY"}
    [breakdowns] = data["budget"]["budgetBreakdowns"]
    assert [
        (b["id"], b["amount"]["amount"], b["sourceParty"]["id"])
        for b in breakdowns["budgetBreakdown"]
    ] == [("central_budget", 30005000, "funding-central_budget"), ("self_raised", 20000000, touzi)]

    assert data["period"] == {
        "startDate": "2025-03-01T00:00:00+08:00",
        "endDate": "2027-06-30T00:00:00+08:00",
    }
    assert data["implementationPeriod"] == {"startDate": "2025-04-10T00:00:00+08:00"}
    assert "completion" not in data

    [location] = data["locations"]
    assert location["geometry"] == {"type": "Point", "coordinates": [113.2418, 35.2153]}
    assert location["address"] == {
        "streetAddress": "解放区民主路与建设路交叉口",
        "region": "解放区",
        "countryName": "中国",
    }

    milestones = [(m["title"], m["type"], m["status"]) for m in data["milestones"]]
    assert milestones == [
        ("施工许可证办结", "approval", "met"),
        ("主体结构封顶", "delivery", "notMet"),
        ("路面摊铺", "delivery", "scheduled"),
    ]
    assert data["milestones"][0]["dueDate"] == "2026-03-31T00:00:00+08:00"
    assert data["milestones"][0]["dateMet"] == "2026-03-28T00:00:00+08:00"

    metrics = {metric["id"]: metric["observations"] for metric in data["metrics"]}
    assert [(o["id"], o["value"]) for o in metrics["financialProgress"]] == [
        ("2026-03", {"amount": 1502500, "currency": "CNY"}),
        ("2026-04", {"amount": 2000000, "currency": "CNY"}),
    ]
    assert metrics["financialProgress"][0]["period"] == {
        "startDate": "2026-03-01T00:00:00+08:00",
        "endDate": "2026-03-31T00:00:00+08:00",
    }
    assert [(o["measure"], o["notes"]) for o in metrics["physicalProgress"]] == [
        (30.0, "3月形象进度"),
        (42.5, "4月形象进度"),
    ]
    assert metrics["physicalProgress"][0]["unit"]["id"] == "P1"

    documents = {d["id"]: d for d in data["documents"]}
    assert set(documents) == {f"bulletin-{bulletin.pk}", f"minutes-{meeting.pk}"}
    assert documents[f"bulletin-{bulletin.pk}"]["documentType"] == "oversightReport"
    assert documents[f"bulletin-{bulletin.pk}"]["url"] == (
        f"http://127.0.0.1:8000/api/bulletins/{bulletin.pk}/download/"
    )
    assert documents[f"minutes-{meeting.pk}"]["documentType"] == "minutes"
    assert documents[f"minutes-{meeting.pk}"]["url"] == (
        f"http://127.0.0.1:8000/api/meetings/{meeting.pk}/minutes-docx/"
    )
    assert documents[f"minutes-{meeting.pk}"]["title"] == "四月重点项目调度会会议纪要"


def test_a_project_with_nothing_but_its_name_is_valid(city):
    package = api(city.users.hq).get(URL).json()
    data = _by_id(package)[f"oc4ids-diaodu-{city.projects.city.pk}"]
    assert errors(package) == [] and codelist_violations(package) == []
    assert "locations" not in data and "metrics" not in data and "documents" not in data
    assert data["budget"] == {"amount": {"amount": 100000000, "currency": "CNY"}}


def test_completion_where_completed(city):
    project = city.projects.street
    project.stage, project.category = Stage.OPERATING, Category.URBAN_RENEWAL
    project.actual_completion, project.scope = date(2026, 1, 15), "老旧小区改造12个"
    project.save()
    package = api(city.users.hq).get(URL).json()
    data = _by_id(package)[f"oc4ids-diaodu-{project.pk}"]
    assert (data["status"], data["type"]) == ("maintenance", "rehabilitation")
    assert data["completion"] == {
        "endDate": "2026-01-15T00:00:00+08:00",
        "finalScope": "老旧小区改造12个",
    }
    assert data["implementationPeriod"] == {"endDate": "2026-01-15T00:00:00+08:00"}


def test_a_bulletin_names_a_project_among_its_red_projects_or_its_overdue_tasks(city):
    red, late, neither = city.projects.jiefang, city.projects.gaoxin, city.projects.city
    bulletin = _bulletin(red=[red.name], overdue=[late.name])
    package = api(city.users.hq).get(URL).json()
    projects = _by_id(package)
    documents = {
        project.pk: [d["id"] for d in projects[f"oc4ids-diaodu-{project.pk}"].get("documents", [])]
        for project in (red, late, neither)
    }
    named = [f"bulletin-{bulletin.pk}"]
    assert documents == {red.pk: named, late.pk: named, neither.pk: []}


def test_a_region_user_gets_only_its_projects(city, project):
    meeting = MeetingFactory(title="高新区调度会", date=date(2026, 4, 1), minutes="纪要")
    TaskFactory(project=city.projects.gaoxin, meeting=meeting, lead_unit=city.jiaotong)
    response = api(city.users.jiefang).get(URL)
    assert response.status_code == 200
    package = response.json()
    assert set(_by_id(package)) == {
        f"oc4ids-diaodu-{city.projects.jiefang.pk}",
        f"oc4ids-diaodu-{city.projects.street.pk}",
    }
    assert "高新区" not in response.content.decode()
    assert errors(package) == []


def test_a_user_who_sees_nothing_gets_an_empty_package(city):
    response = api(city.users.nobody).get(URL)
    assert response.status_code == 200 and response.json()["projects"] == []


def test_an_anonymous_request_is_refused(city):
    response = api().get(URL)
    assert response.status_code == 401
    assert "projects" not in response.json()


def test_the_answer_is_as_documented(city, project):
    response = api(city.users.hq).get(URL)
    assert_documented(generated_schema(), "GET", URL, response)
    missing = api(city.users.hq).get(URL + "?page=9")
    assert missing.status_code == 404
    assert_documented(generated_schema(), "GET", URL, missing)


def test_pages_link_to_each_other(city, monkeypatch):
    monkeypatch.setattr(oc4ids_api.Pages, "page_size", 3)
    client = api(city.users.hq)
    first = client.get(URL).json()
    assert len(first["projects"]) == 3 and set(first["links"]) == {"next"}
    second = client.get(first["links"]["next"]).json()
    assert len(second["projects"]) == 1 and set(second["links"]) == {"prev"}
    ids = [p["id"] for p in first["projects"] + second["projects"]]
    assert len(set(ids)) == 4


def _queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api(user).get(URL).status_code == 200
    return len(queries)


def _more_projects(city, count: int):
    for _index in range(count):
        other = ProjectFactory(region=city.gaoxin, owner=city.touzi, lead_unit=city.ziran)
        other.responsible_units.set([city.jiaotong, city.ziran])
        FundingLineFactory(project=other)
        MilestoneFactory(project=other)
        period = ReportingPeriodFactory(day=DAY)
        ProgressReportFactory(project=other, status=ReportStatus.APPROVED, period=period)
        meeting = MeetingFactory(date=date(2026, 4, 1))
        meeting.projects.set([other])
        TaskFactory(project=other, lead_unit=city.jiaotong, meeting=meeting)


def test_a_page_takes_the_same_queries_for_few_projects_as_for_many(city, project):
    _bulletin(red=[project.name], overdue=[])
    _more_projects(city, 1)
    few = _queries(city.users.hq)
    _more_projects(city, 40)
    many = _queries(city.users.hq)
    assert many == few <= 13, many


def test_the_command_writes_the_same_package_as_the_api(city, project, tmp_path):
    MeetingFactory(title="调度会", date=date(2026, 4, 15), minutes="纪要").projects.set([project])
    _bulletin(red=[project.name], overdue=[])
    output = tmp_path / "package.json"
    said = io.StringIO()
    call_command("export_oc4ids", "--user", "jiefang", "--output", str(output), stdout=said)
    written = json.loads(output.read_text(encoding="utf-8"))
    assert written == api(city.users.jiefang).get(URL).json()
    assert len(written["projects"]) == 2
    assert "jiefang" in said.getvalue() and str(output) in said.getvalue()


def test_the_command_exports_as_headquarters_by_default_and_says_so(city):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_oc4ids", stdout=out, stderr=err)
    assert len(json.loads(out.getvalue())["projects"]) == 4
    assert "hq" in err.getvalue() and "4" in err.getvalue()


def test_the_command_names_a_user_it_does_not_know(city):
    with pytest.raises(CommandError, match="no-such-user"):
        call_command("export_oc4ids", "--user", "no-such-user")


def _prefix_read(value: str) -> subprocess.CompletedProcess:
    """The settings imported in a fresh process with DIAODU_OC4IDS_PREFIX set to `value`."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DIAODU_")}
    environment.update({"DIAODU_SECRET_KEY": "k" * 50, "DIAODU_OC4IDS_PREFIX": value})
    code = "import diaodu.settings as s; print(s.DIAODU_OC4IDS_PREFIX)"
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False
    )


def test_the_prefix_is_read_strictly():
    assert _prefix_read("oc4ids-bu3kcz").stdout.strip() == "oc4ids-bu3kcz"
    for wrong in ("OC4IDS-BU3KCZ", "oc4ids-bu3", "bu3kcz", "oc4ids-bu3kcz-1"):
        read = _prefix_read(wrong)
        assert read.returncode != 0 and "DIAODU_OC4IDS_PREFIX" in read.stderr, wrong


def test_the_prefix_makes_the_id(city, settings):
    settings.DIAODU_OC4IDS_PREFIX = "oc4ids-bu3kcz"
    package = api(city.users.hq).get(URL).json()
    assert f"oc4ids-bu3kcz-{city.projects.city.pk}" in _by_id(package)


def test_an_update_periods_report_counts_for_physical_progress_only(city):
    project = city.projects.jiefang
    update = ReportingPeriodFactory(
        kind=PeriodKind.UPDATE,
        program=city.program,
        start=date(2026, 5, 4),
        end=date(2026, 5, 10),
        due_date=date(2026, 5, 11),
    )
    ProgressReportFactory(
        project=project,
        period=update,
        status=ReportStatus.APPROVED,
        invested=0,
        physical_percent="55.0",
    )
    data = _by_id(api(city.users.hq).get(URL).json())[f"oc4ids-diaodu-{project.pk}"]
    metrics = {metric["id"]: metric["observations"] for metric in data["metrics"]}
    assert set(metrics) == {"physicalProgress"}
    assert metrics["physicalProgress"][0]["id"] == "2026-05-04/2026-05-10"


def test_a_bulletin_file_that_is_no_word_file_names_no_project(city):
    bulletin = BulletinFactory(kind=WindowKind.MONTH, year=2026, number=4)
    bulletin.document.save("bulletin.docx", ContentFile(b"not a Word file"))
    response = api(city.users.hq).get(URL)
    assert response.status_code == 200
    assert not any("documents" in project for project in response.json()["projects"])
