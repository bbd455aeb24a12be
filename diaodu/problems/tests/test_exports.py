"""The problem and task lists as workbooks: the page's rows and filters, scoped, and the API."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from diaodu.conftest import login
from diaodu.core.exports import XLSX
from diaodu.problems import services
from diaodu.problems.models import Problem, Task
from diaodu.problems.tests.test_problems import TODAY, assign, raise_problem
from diaodu.projects.tests.test_api import api

pytestmark = pytest.mark.today("2026-06-10")


@pytest.fixture
def listed(city):
    """Problems and tasks in 解放区 and 高新区; one overdue; one starts like a formula."""
    raise_problem(city, days=2)  # close to its deadline: yellow
    raise_problem(city, days=-3)  # overdue: red
    services.do_raise_problem(
        city.users.hq,
        city.projects.gaoxin,
        description='=HYPERLINK("http://x")拆迁未完成',
        category="demolition",
        responsible_unit=city.gaoxin,
        deadline=TODAY + timedelta(days=30),
    )
    assign(city, days=20)
    assign(city, days=-1)  # overdue: red
    task = assign(city, project=city.projects.gaoxin, unit=city.ziran, days=40)
    task.responsible_units.set([city.gaoxin, city.jiaotong])
    return city


def sheet_of(response):
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content)).active


def body(sheet):
    """The rows between the header and the totals, after their 序号."""
    rows = list(sheet.iter_rows(min_row=3, max_row=sheet.max_row - 1, values_only=True))
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))
    return [row[1:] for row in rows]


def headers(sheet):
    """The headers after 序号."""
    assert sheet["A2"].value == "序号"
    return [cell.value for cell in sheet[2]][1:]


def column(sheet, header):
    return [row[headers(sheet).index(header)] for row in body(sheet)]


def test_problem_export_has_title_header_rows_and_totals(listed):
    client = login(listed.users.hq)
    sheet = sheet_of(client.get(reverse("problems:problem-export")))
    assert sheet["A1"].value == "问题清单" and sheet["A1"].font.bold
    last = sheet.cell(2, len(headers(sheet)) + 1).column_letter
    assert [str(cells) for cells in sheet.merged_cells.ranges] == [f"A1:{last}1"]
    assert headers(sheet)[:5] == ["问题", "项目", "区县", "项目类别", "责任单位"]
    assert {"协调领导", "完成时限", "状态", "预警", "提出时间"} <= set(headers(sheet))
    page = client.get(reverse("problems:problems"))
    on_screen = [p.description for p in page.context["page"].paginator.object_list]
    assert [row[0].lstrip("'") for row in body(sheet)] == on_screen
    assert column(sheet, "预警") == ["红灯", "黄灯", "绿灯"]
    assert column(sheet, "完成时限")[0].date() == TODAY - timedelta(days=3)
    assert column(sheet, "提出时间")[0].date() == TODAY
    assert sheet.cell(3, headers(sheet).index("完成时限") + 2).is_date
    total = sheet[sheet.max_row][1]
    assert "3" in total.value and total.font.bold  # 合计（3 个问题）


def test_task_export_has_the_columns_of_the_list(listed):
    client = login(listed.users.hq)
    sheet = sheet_of(client.get(reverse("problems:task-export")))
    assert sheet["A1"].value == "任务清单"
    assert {"任务", "项目", "牵头单位", "责任单位", "来源", "督办级别", "交办人", "预警"} <= set(
        headers(sheet)
    )
    assert "最近反馈时间" in headers(sheet)
    page = client.get(reverse("problems:tasks"))
    assert len(body(sheet)) == page.context["page"].paginator.count == 3
    assert column(sheet, "预警") == ["红灯", "绿灯", "绿灯"]
    assert set(column(sheet, "责任单位")[-1].split("、")) == {"高新区", "交通运输局"}
    assert column(sheet, "交办人") == ["hq"] * 3
    assert "3" in sheet[sheet.max_row][1].value


def test_no_cell_starts_a_formula(listed):
    sheet = sheet_of(login(listed.users.hq).get(reverse("problems:problem-export")))
    cells = [cell for row in sheet.iter_rows(min_row=3) for cell in row if cell.value]
    assert all(cell.data_type != "f" for cell in cells)
    formula = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert formula.data_type == "s" and formula.value.startswith("'=")


def test_a_region_does_not_see_another_regions_rows(listed):
    gaoxin = login(listed.users.gaoxin)
    problems = sheet_of(gaoxin.get(reverse("problems:problem-export")))
    assert column(problems, "项目") == ["高新区项目"]
    tasks = sheet_of(gaoxin.get(reverse("problems:task-export")))
    assert column(tasks, "项目") == ["高新区项目"]
    jiefang = login(listed.users.jiefang)
    problems = sheet_of(jiefang.get(reverse("problems:problem-export")))
    assert set(column(problems, "项目")) == {"解放区项目"} and len(body(problems)) == 2
    assert body(sheet_of(login(listed.users.nobody).get(reverse("problems:task-export")))) == []


def test_the_filters_of_the_list_apply(listed):
    client = login(listed.users.hq)
    red = sheet_of(client.get(reverse("problems:problem-export"), {"light": "red"}))
    assert column(red, "预警") == ["红灯"]
    assert "1" in red[red.max_row][1].value
    region = sheet_of(client.get(reverse("problems:task-export"), {"region": listed.gaoxin.pk}))
    assert column(region, "项目") == ["高新区项目"]
    unit = sheet_of(client.get(reverse("problems:task-export"), {"unit": listed.gaoxin.pk}))
    assert column(unit, "项目") == ["高新区项目"]  # a responsible unit
    search = sheet_of(client.get(reverse("problems:problem-export"), {"q": "拆迁"}))
    assert len(body(search)) == 1
    page = client.get(reverse("problems:problems"), {"light": "red", "view": "board"})
    assert f'{reverse("problems:problem-export")}?light=red"' in page.content.decode()


def test_anonymous_is_sent_to_sign_in(client, listed):
    for url in (reverse("problems:problem-export"), reverse("problems:task-export")):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url
    assert api().get("/api/problems/export/").status_code == 401
    assert api().get("/api/tasks/export/").status_code == 401


def test_query_count_does_not_grow_with_rows(listed, django_assert_max_num_queries):
    client = login(listed.users.hq)
    urls = (reverse("problems:problem-export"), reverse("problems:task-export"))
    for url in urls:
        with django_assert_max_num_queries(7):  # and the download in the audit log
            sheet_of(client.get(url))
    for i in range(20):
        raise_problem(listed, project=listed.projects.gaoxin, unit=listed.gaoxin, days=i)
        task = assign(listed, project=listed.projects.gaoxin, days=i)
        task.responsible_units.set([listed.gaoxin])
    for url in urls:
        with django_assert_max_num_queries(7):  # and the download in the audit log
            sheet = sheet_of(client.get(url))
        assert len(body(sheet)) == 23


def test_days_open_counts_from_the_day_raised(listed):
    Problem.objects.update(created_at=timezone.now() - timedelta(days=4))
    sheet = sheet_of(login(listed.users.hq).get(reverse("problems:problem-export")))
    assert column(sheet, "提出时间")[0].date() == date(2026, 6, 6)
    assert set(column(sheet, headers(sheet)[-1])) == {4}


def test_the_download_is_named(listed):
    response = login(listed.users.hq).get(reverse("problems:task-export"))
    assert response["Content-Disposition"].startswith('attachment; filename="tasks-20260610.xlsx"')


# -- API -----------------------------------------------------------------------------------


def test_api_export_is_scoped_and_filtered(listed):
    gaoxin = api(listed.users.gaoxin)
    assert column(sheet_of(gaoxin.get("/api/problems/export/")), "项目") == ["高新区项目"]
    assert column(sheet_of(gaoxin.get("/api/tasks/export/")), "项目") == ["高新区项目"]
    hq = api(listed.users.hq)
    assert len(body(sheet_of(hq.get("/api/problems/export/")))) == 3
    red = sheet_of(hq.get("/api/tasks/export/", {"light": "red"}))
    assert column(red, "预警") == ["红灯"]
    accept = hq.get("/api/problems/export/", HTTP_ACCEPT=XLSX)
    assert sheet_of(accept)["A1"].value == "问题清单"
    bad = hq.get("/api/problems/export/", {"status": "nonsense"})
    assert bad.status_code == 400 and "status" in bad.json()


def test_api_and_page_give_the_same_rows(listed):
    params = {"region": listed.jiefang.pk}
    page = sheet_of(login(listed.users.hq).get(reverse("problems:task-export"), params))
    api_sheet = sheet_of(api(listed.users.hq).get("/api/tasks/export/", params))
    assert body(page) == body(api_sheet)
    assert Task.objects.filter(project__region=listed.jiefang).count() == len(body(page))


def test_control_characters_in_a_text_do_not_break_the_workbook(listed):
    """A task sent with control characters (the API keeps them) made the export fail with a
    server error: openpyxl refuses them. They are left out of the cell."""
    task = Task.objects.first()
    task.content = "加快\x01办理\x1b施工许可证\x08"
    task.save(update_fields=["content"])
    for response in (
        login(listed.users.hq).get(reverse("problems:task-export")),
        api(listed.users.hq).get("/api/tasks/export/", HTTP_ACCEPT=XLSX),
    ):
        assert "加快办理施工许可证" in column(sheet_of(response), "任务")
