"""A period's export: every project the user sees, filed or not, as on the page, and the API."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from diaodu.conftest import login
from diaodu.core.exports import XLSX
from diaodu.factories import ProjectFactory
from diaodu.projects.tests.test_api import api
from diaodu.reporting import services
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport
from diaodu.reporting.tests.conftest import at
from diaodu.reporting.tests.test_services import file, submitted

# The city's monthly period is May 2026's (conftest.py): on 20 May it is open, not yet due.
pytestmark = pytest.mark.today("2026-05-20")

# Columns of the sheet (序号 is the first).
INVESTED, PERCENT, WORKERS, PROGRESS, NEXT, PROBLEMS, SUBMITTED_AT = 6, 7, 8, 9, 10, 11, 12
REVIEWED_BY, REVIEWED_AT = 14, 15


@pytest.fixture
def filed(city, period):
    """解放区项目 approved, 高新区项目 submitted with a formula-like text, the others not filed."""
    with time_machine.travel(at("2026-05-20"), tick=False):
        report = submitted(city, period)
        services.do_approve_report(city.users.jiefang, report)
        gaoxin = file(
            city.users.hq, city.projects.gaoxin, period, invested="30", next_steps="=1+1"
        ).report
        services.do_submit_report(city.users.hq, gaoxin)
    return city


def sheet_of(response):
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content)).active


def body(sheet):
    """{project name: row values after 序号} of the rows between the header and the totals."""
    rows = list(sheet.iter_rows(min_row=3, max_row=sheet.max_row - 1, values_only=True))
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))  # 序号
    return {row[1]: row[1:] for row in rows}


def row_of(sheet, name):
    return next(row for row in range(3, sheet.max_row) if sheet.cell(row, 2).value == name)


def export(user, period, **params):
    return login(user).get(reverse("reporting:period-export", args=[period.pk]), params)


def test_title_header_rows_and_totals_for_headquarters(filed, period):
    sheet = sheet_of(export(filed.users.hq, period))
    assert sheet["A1"].value == f"{period} 进展填报"
    headers = [cell.value for cell in sheet[2]]
    assert headers[:6] == ["序号", "项目名称", "区县", "建设单位", "状态", "本期完成投资（万元）"]
    assert {"形象进度（%）", "现场施工人数", "下步打算", "存在问题", "审核人"} <= set(headers)
    rows = body(sheet)
    page = login(filed.users.hq).get(reverse("reporting:period", args=[period.pk]))
    assert list(rows) == [row.project.name for row in page.context["rows"]]  # the page's order
    assert set(rows) == {"解放区项目", "街道项目", "高新区项目", "全市项目"}
    approved = rows["解放区项目"]
    assert approved[1:4] == ("解放区", "市投资集团", "已审核")
    assert approved[INVESTED - 2] == 120.5
    assert approved[PERCENT - 2] == 0.35 and approved[WORKERS - 2] == 80
    assert approved[PROGRESS - 2] == "主体施工" and approved[NEXT - 2] == "封顶"
    assert approved[SUBMITTED_AT - 2] == datetime(2026, 5, 20, 12, 0)
    assert approved[REVIEWED_BY - 2] == "jiefang"
    assert approved[REVIEWED_AT - 2] == datetime(2026, 5, 20, 12, 0)
    assert rows["街道项目"][3] == "未填报" and rows["街道项目"][INVESTED - 2] is None
    assert rows["全市项目"][1] == "市级"
    money = sheet.cell(row=row_of(sheet, "解放区项目"), column=INVESTED)
    assert money.number_format == "#,##0.00"
    percent = sheet.cell(row=row_of(sheet, "解放区项目"), column=PERCENT)
    assert percent.number_format == "0.0%"  # 35% written as 0.35
    total = sheet[sheet.max_row]
    assert total[0].value is None  # no 序号
    assert total[1].value == "合计（4 个项目）" and total[1].font.bold
    assert total[INVESTED - 1].value == 150.5 and total[INVESTED - 1].font.bold


def test_a_formula_comes_out_as_text(filed, period):
    sheet = sheet_of(export(filed.users.hq, period))
    cell = sheet.cell(row=row_of(sheet, "高新区项目"), column=NEXT)
    assert cell.data_type == "s" and cell.value == "'=1+1"


def test_a_region_sees_only_its_projects(filed, period):
    rows = body(sheet_of(export(filed.users.jiefang, period)))
    assert set(rows) == {"解放区项目", "街道项目"}
    gaoxin = sheet_of(export(filed.users.gaoxin, period))
    assert list(body(gaoxin)) == ["高新区项目"]
    assert gaoxin[gaoxin.max_row][INVESTED - 1].value == 30
    assert list(body(sheet_of(export(filed.users.nobody, period)))) == []


def test_the_filter_of_the_page_applies(filed, period):
    sheet = sheet_of(export(filed.users.hq, period, filing="missing"))
    assert set(body(sheet)) == {"街道项目", "全市项目"}
    assert sheet[sheet.max_row][1].value == "合计（2 个项目）"
    assert sheet[sheet.max_row][INVESTED - 1].value == 0
    page = login(filed.users.hq).get(reverse("reporting:period", args=[period.pk]))
    assert f"{reverse('reporting:period-export', args=[period.pk])}?" in page.content.decode()


def test_anonymous_is_sent_to_sign_in(client, city, period):
    response = client.get(reverse("reporting:period-export", args=[period.pk]))
    assert response.status_code == 302 and "/login/" in response.url
    assert api().get("/api/reports/export/", {"period": period.pk}).status_code == 401


def test_query_count_does_not_grow_with_rows(city, period, django_assert_max_num_queries):
    client = login(city.users.hq)
    url = reverse("reporting:period-export", args=[period.pk])
    with django_assert_max_num_queries(7):  # and the download in the audit log
        sheet_of(client.get(url))
    for i in range(30):
        project = ProjectFactory(name=f"项目{i}", region=city.gaoxin, owner=city.touzi)
        project.programs.set([city.program])
        ProgressReport.objects.create(
            project=project,
            period=period,
            invested=Decimal(i),
            status=ReportStatus.APPROVED,
            submitted_by=city.users.owner,
            reviewed_by=city.users.gaoxin,
        )
    with django_assert_max_num_queries(7):  # and the download in the audit log
        sheet = sheet_of(client.get(url))
    assert sheet.max_row == 2 + 34 + 1


def test_the_download_is_named(filed, period):
    response = export(filed.users.hq, period)
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="progress-monthly-20260501.xlsx"')
    assert "filename*=UTF-8''" in disposition


# -- API -----------------------------------------------------------------------------------


def test_api_export_is_the_same_workbook_and_scoped(filed, period):
    response = api(filed.users.jiefang).get("/api/reports/export/", {"period": period.pk})
    assert set(body(sheet_of(response))) == {"解放区项目", "街道项目"}
    hq = api(filed.users.hq)
    assert len(body(sheet_of(hq.get("/api/reports/export/", {"period": period.pk})))) == 4
    status = hq.get("/api/reports/export/", {"period": period.pk, "status": "submitted"})
    assert list(body(sheet_of(status))) == ["高新区项目"]
    filing = hq.get("/api/reports/export/", {"period": period.pk, "filing": "approved"})
    assert list(body(sheet_of(filing))) == ["解放区项目"]
    one = hq.get("/api/reports/export/", {"period": period.pk, "project": filed.projects.city.pk})
    assert list(body(sheet_of(one))) == ["全市项目"]
    accept = hq.get("/api/reports/export/", {"period": period.pk}, HTTP_ACCEPT=XLSX)
    assert sheet_of(accept)["A1"].value == f"{period} 进展填报"


def test_api_export_needs_a_known_period(city, period):
    client = api(city.users.hq)
    missing = client.get("/api/reports/export/")
    assert missing.status_code == 400 and "period" in missing.json()
    for value in ("999999", "abc"):
        unknown = client.get("/api/reports/export/", {"period": value})
        assert unknown.status_code == 400 and "period" in unknown.json()
    bad = client.get("/api/reports/export/", {"period": period.pk, "status": "nonsense"})
    assert bad.status_code == 400 and "status" in bad.json()
    asked_for_xlsx = client.get("/api/reports/export/", HTTP_ACCEPT=XLSX)
    assert asked_for_xlsx.status_code == 400 and "period" in asked_for_xlsx.json()
    assert asked_for_xlsx["Content-Type"] == "application/json"


def test_dates_are_dates_in_shanghai(filed, period):
    sheet = sheet_of(export(filed.users.hq, period))
    submitted_at = sheet.cell(row=row_of(sheet, "解放区项目"), column=SUBMITTED_AT)
    assert submitted_at.is_date and submitted_at.value.date() == date(2026, 5, 20)
