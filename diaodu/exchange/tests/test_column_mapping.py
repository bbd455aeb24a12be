"""Correcting how a column is read, on the dry run: the file is checked again that way, and
the next file with the same header is read the same way, by the page and by the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from diaodu.conftest import login
from diaodu.core.excel import to_bytes
from diaodu.exchange.models import ColumnMapping, ImportJob, ImportStatus
from diaodu.projects.models import Project

pytestmark = pytest.mark.today("2026-11-20")

# 承办单位 is no header Diaodu knows; 投资额 neither: both are left aside until corrected.
HEADER = ["序号", "项目名称", "所在县区", "承办单位", "投资额"]


def ledger(rows, name="台账.xlsx"):
    workbook = Workbook()
    workbook.active.title = "项目表"
    workbook.active.append(HEADER)
    for row in rows:
        workbook.active.append(row)
    return SimpleUploadedFile(name, to_bytes(workbook))


def upload(client, rows):
    client.post(reverse("exchange:import"), {"file": ledger(rows), "year": 2026})
    return ImportJob.objects.latest("pk")


def columns_of(job):
    (sheet,) = job.result["sheets"]
    return {c["header"]: (c["field"], c["note"]) for c in sheet["columns"]}


def test_a_corrected_column_is_read_so_now_and_in_the_next_file(city):
    client = login(city.users.hq)
    job = upload(client, [[1, "新水厂", "高新区", "交通运输局", 500]])
    assert job.status == ImportStatus.READY
    assert columns_of(job)["承办单位"] == ("", "unknown")
    page = client.get(reverse("exchange:import-detail", args=[job.pk])).content.decode()
    assert 'name="column-3"' in page and "承办单位" in page

    response = client.post(
        reverse("exchange:import-columns", args=[job.pk]),
        {"sheet": "项目表", "column-3": "responsible_units", "column-4": "total_investment"},
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    assert columns_of(job)["承办单位"] == ("responsible_units", "")
    assert columns_of(job)["投资额"] == ("total_investment", "")
    assert job.result["sheets"][0]["corrected"] is True
    client.post(reverse("exchange:import-apply", args=[job.pk]))
    created = Project.objects.get(name="新水厂")
    assert list(created.responsible_units.all()) == [city.jiaotong]
    assert created.total_investment == 500

    # The next file with the same header is read the corrected way from the start.
    second = upload(client, [[1, "新学校", "解放区", "自然资源和规划局", 80]])
    assert second.result["sheets"][0]["corrected"] is True
    changes = {c["name"]: c["changes"] for c in second.result["changes"]}
    assert any("自然资源和规划局" in str(change) for change in changes["新学校"])
    assert ColumnMapping.objects.get().fields == {"3": "responsible_units", "4": "total_investment"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"column-3": "region"}, "都识别为"),  # 所在县区 is already the region
        ({"column-1": ""}, "必须有一列识别为项目名称"),
        ({"column-3": "salary"}, "不是项目的字段"),
        ({"column-9": "owner"}, "不是该工作表的列"),
    ],
)
def test_a_correction_that_cannot_be_is_refused_and_nothing_changes(city, fields, message):
    client = login(city.users.hq)
    job = upload(client, [[1, "新水厂", "高新区", "交通运输局", 500]])
    before = job.result
    response = client.post(
        reverse("exchange:import-columns", args=[job.pk]),
        {"sheet": "项目表", **fields},
        follow=True,
    )
    assert message in response.content.decode()
    job.refresh_from_db()
    assert job.result == before and not ColumnMapping.objects.exists()


def test_only_the_uploader_corrects_and_only_before_the_import(city):
    client = login(city.users.hq)
    job = upload(client, [[1, "新水厂", "高新区", "交通运输局", 500]])
    other = login(city.users.jiefang)
    response = other.post(
        reverse("exchange:import-columns", args=[job.pk]), {"sheet": "项目表", "column-3": ""}
    )
    assert response.status_code == 404  # not even visible to a region
    client.post(reverse("exchange:import-apply", args=[job.pk]))
    response = client.post(
        reverse("exchange:import-columns", args=[job.pk]),
        {"sheet": "项目表", "column-3": "responsible_units"},
        follow=True,
    )
    assert "已导入" in response.content.decode() or "尚未就绪" in response.content.decode()
    assert not ColumnMapping.objects.exists()


def test_the_api_corrects_columns_and_answers_the_new_reading(city):
    client = login(city.users.hq)
    response = client.post(
        reverse("import-list"), {"file": ledger([[1, "新水厂", "高新区", "交通运输局", 500]])}
    )
    job_id = response.json()["id"]
    assert response.json()["sheets"][0]["columns"][3]["note"] == "unknown"
    url = reverse("import-columns", args=[job_id])
    answer = client.post(
        url,
        {"sheet": "项目表", "columns": {"3": "responsible_units"}},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["sheets"][0]["columns"][3]["field"] == "responsible_units"
    bad = client.post(
        url, {"sheet": "项目表", "columns": {"3": "salary"}}, content_type="application/json"
    )
    assert bad.status_code == 400 and "columns" in bad.json()
    missing = client.post(
        url, {"sheet": "没有", "columns": {"3": ""}}, content_type="application/json"
    )
    assert missing.status_code == 400


def test_a_correction_reaches_every_sheet_with_the_same_header(city):
    from openpyxl import Workbook as Book

    workbook = Book()
    workbook.remove(workbook.active)
    for title, name in (("续建项目", "旧水厂"), ("新开工项目", "新水厂")):
        sheet = workbook.create_sheet(title)
        sheet.append(HEADER)
        sheet.append([1, name, "高新区", "交通运输局", 500])
    client = login(city.users.hq)
    client.post(
        reverse("exchange:import"),
        {"file": SimpleUploadedFile("两表.xlsx", to_bytes(workbook)), "year": 2026},
    )
    job = ImportJob.objects.latest("pk")
    client.post(
        reverse("exchange:import-columns", args=[job.pk]),
        {"sheet": "续建项目", "column-3": "responsible_units"},
    )
    job.refresh_from_db()
    assert [s["corrected"] for s in job.result["sheets"]] == [True, True]
    fields = [{c["header"]: c["field"] for c in s["columns"]} for s in job.result["sheets"]]
    assert [f["承办单位"] for f in fields] == ["responsible_units", "responsible_units"]
