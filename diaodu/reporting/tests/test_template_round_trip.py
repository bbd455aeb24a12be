"""The period template round-trips: downloaded and uploaded back untouched it changes nothing,
whatever its reports' status; only what was changed in the file is saved, exactly."""

import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from diaodu.conftest import login
from diaodu.core.excel import read_cell_text, read_decimal, read_whole
from diaodu.core.models import Action, ChangeRecord
from diaodu.factories import AnnualPlanFactory, ProjectFactory
from diaodu.reporting import services
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport

# The city's monthly period is May 2026's (conftest.py): on 20 May it is open, not yet due.
pytestmark = pytest.mark.today("2026-05-20")

INVESTED, PERCENT, WORKERS, PROGRESS, NEXT, PROBLEMS = "DEFGHI"
LOCKED = (
    "该项目的填报状态为“%s”，不能在此修改："
    "请保持此单元格与下载时一致；如需修改，请先由审核单位退回。"
)


@pytest.fixture
def owner_projects(city, period):
    """The owner's four projects of the period: a draft, a submitted and an approved report,
    and a project without one."""
    owner, hq = city.users.owner, city.users.hq
    approved = ProjectFactory(name="已审核项目", region=city.jiefang, owner=city.touzi)
    absent = ProjectFactory(name="未填报项目", region=city.jiefang, owner=city.touzi)
    for project in (approved, absent):
        project.programs.set([city.program])
        AnnualPlanFactory(project=project)
    draft = city.projects.jiefang
    services.do_save_report(
        owner,
        draft,
        period,
        {
            "invested": "2374.7",
            "physical_percent": "35.5",
            "workers": "80",
            "physical_progress": "主体施工\r\n二层完成",
            "next_steps": "-1层封顶",  # written with a quote, so that it is not a formula
            "problems": "",
        },
    )
    submitted = services.do_save_report(
        owner,
        city.projects.city,
        period,
        {
            "invested": Decimal("0.1") + Decimal("0.2"),
            "physical_percent": "12.3",
            "workers": "12",
            "physical_progress": "桩基施工",
            "next_steps": "=继续施工",
            "problems": "资金未到位",
        },
    ).report
    services.do_submit_report(owner, submitted)
    done = services.do_save_report(
        owner,
        approved,
        period,
        {
            "invested": "1234567.89",
            "physical_percent": "100",
            "workers": "",
            "physical_progress": "竣工",
            "next_steps": "",
            "problems": "",
        },
    ).report
    services.do_submit_report(owner, done)
    services.do_approve_report(hq, done)
    return {"draft": draft, "submitted": city.projects.city, "approved": approved, "absent": absent}


def stored():
    """Every report of the period as stored, with its version and time of change."""
    return {
        report["project_id"]: report
        for report in ProgressReport.objects.values(
            "project_id",
            "status",
            "invested",
            "physical_percent",
            "workers",
            "physical_progress",
            "next_steps",
            "problems",
            "version",
            "updated_at",
        )
    }


def download(client, period):
    response = client.get(reverse("reporting:template", args=[period.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {sheet.cell(row=r, column=2).value: r for r in range(3, sheet.max_row + 1)}
    return sheet, rows


def upload(client, period, sheet):
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    buffer.seek(0)
    buffer.name = "模板.xlsx"
    return client.post(reverse("reporting:upload", args=[period.pk]), {"file": buffer})


def saved_message(response):
    assert response.status_code == 302, response.context and [
        (p.row, p.column, p.message) for p in response.context["problems"]
    ]
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_template_writes_amounts_with_their_decimals(city, period, owner_projects):
    sheet, rows = download(login(city.users.owner), period)
    draft, submitted = rows[owner_projects["draft"].pk], rows[owner_projects["submitted"].pk]
    approved, absent = rows[owner_projects["approved"].pk], rows[owner_projects["absent"].pk]
    assert sheet[f"{INVESTED}{draft}"].value == 2374.7
    assert sheet[f"{INVESTED}{submitted}"].value == 0.3
    assert sheet[f"{INVESTED}{approved}"].value == 1234567.89
    assert sheet[f"{PERCENT}{draft}"].value == 35.5
    assert {sheet[f"{INVESTED}{r}"].number_format for r in rows.values()} == {"#,##0.00"}
    assert {sheet[f"{PERCENT}{r}"].number_format for r in rows.values()} == {"0.0"}
    assert sheet[f"{NEXT}{draft}"].value == "'-1层封顶"
    assert [sheet[f"{c}{absent}"].value for c in INVESTED + PERCENT + WORKERS + PROGRESS] == [
        None
    ] * 4


def test_the_untouched_template_uploads_back_and_changes_nothing(city, period, owner_projects):
    client = login(city.users.owner)
    before, history = stored(), ChangeRecord.objects.count()
    sheet, _rows = download(client, period)
    response = upload(client, period, sheet)
    assert saved_message(response) == [
        "已从文件保存 0 条填报；3 行与已填报内容相同、1 行留空，未作改动。"
    ]
    assert stored() == before
    assert ChangeRecord.objects.count() == history
    assert not ProgressReport.objects.filter(project=owner_projects["absent"]).exists()


def test_what_excel_makes_of_the_cells_reads_back_as_filed(city, period, owner_projects):
    """Excel's float noise, counts and text turned into numbers: still the same reports."""
    client = login(city.users.owner)
    before, history = stored(), ChangeRecord.objects.count()
    sheet, rows = download(client, period)
    draft, submitted = rows[owner_projects["draft"].pk], rows[owner_projects["submitted"].pk]
    approved = rows[owner_projects["approved"].pk]
    sheet[f"{INVESTED}{draft}"] = 2374.7000000000003
    sheet[f"{WORKERS}{draft}"] = 80.0
    sheet[f"{INVESTED}{submitted}"] = 0.1 + 0.2
    sheet[f"{WORKERS}{submitted}"] = "12"
    sheet[f"{PERCENT}{submitted}"] = 12.299999999999999
    sheet[f"{INVESTED}{approved}"] = 1234567.8900000001
    sheet[f"{PERCENT}{approved}"] = "100"
    sheet.move_range(f"A{approved}:I{approved}", rows=20)  # re-sorted, far below
    sheet.delete_rows(rows[owner_projects["absent"].pk])  # a row deleted
    response = upload(client, period, sheet)
    assert saved_message(response) == [
        "已从文件保存 0 条填报；3 行与已填报内容相同、0 行留空，未作改动。"
    ]
    assert stored() == before
    assert ChangeRecord.objects.count() == history


def test_an_edited_row_is_saved_exactly_and_nothing_else(city, period, owner_projects):
    client = login(city.users.owner)
    before = stored()
    draft_project, absent_project = owner_projects["draft"], owner_projects["absent"]
    sheet, rows = download(client, period)
    draft, absent = rows[draft_project.pk], rows[absent_project.pk]
    sheet[f"{INVESTED}{draft}"] = 0.1 + 0.2
    sheet[f"{PROBLEMS}{draft}"] = "征地拆迁滞后"
    sheet[f"{INVESTED}{absent}"] = 88.8
    sheet[f"{PERCENT}{absent}"] = 5
    sheet[f"{WORKERS}{absent}"] = 12.0
    sheet[f"{PROGRESS}{absent}"] = 2026  # text Excel took for a number
    response = upload(client, period, sheet)
    assert saved_message(response) == [
        "已从文件保存 2 条填报；2 行与已填报内容相同、0 行留空，未作改动。"
    ]
    after = stored()
    assert after[draft_project.pk] == {
        **before[draft_project.pk],
        "invested": Decimal("0.30"),
        "problems": "征地拆迁滞后",
        "version": before[draft_project.pk]["version"] + 1,
        "updated_at": after[draft_project.pk]["updated_at"],
    }
    assert after[draft_project.pk]["physical_progress"] == "主体施工\r\n二层完成"  # untouched
    assert after[draft_project.pk]["next_steps"] == "-1层封顶"
    new = after.pop(absent_project.pk)
    assert (
        new["status"],
        new["invested"],
        new["physical_percent"],
        new["workers"],
        new["physical_progress"],
        new["next_steps"],
    ) == (ReportStatus.DRAFT, Decimal("88.80"), Decimal("5.0"), 12, "2026", "")
    for project in ("submitted", "approved"):
        assert after[owner_projects[project].pk] == before[owner_projects[project].pk]
    change = ChangeRecord.objects.filter(action=Action.UPDATE, project=draft_project).get()
    assert change.changes == {
        "invested": ["2374.70", "0.30"],
        "problems": ["", "征地拆迁滞后"],
    }
    assert change.actor == city.users.owner


def test_a_changed_locked_row_is_refused_and_nothing_is_saved(city, period, owner_projects):
    client = login(city.users.owner)
    before, history = stored(), ChangeRecord.objects.count()
    sheet, rows = download(client, period)
    draft, submitted = rows[owner_projects["draft"].pk], rows[owner_projects["submitted"].pk]
    approved = rows[owner_projects["approved"].pk]
    sheet[f"{INVESTED}{draft}"] = 10  # fine on its own, but not saved with the rest refused
    sheet[f"{INVESTED}{submitted}"] = 0.5
    sheet[f"{PROGRESS}{approved}"] = "竣工验收"
    sheet[f"{WORKERS}{approved}"] = "很多"  # not even a number: still a change of a locked cell
    response = upload(client, period, sheet)
    assert response.status_code == 200
    assert sorted((p.row, p.column, p.message) for p in response.context["problems"]) == sorted(
        [
            (submitted, "本期完成投资（万元）", LOCKED % "已报送"),
            (approved, "现场施工人数", LOCKED % "已审核"),
            (approved, "形象进度", LOCKED % "已审核"),
        ]
    )
    assert stored() == before
    assert ChangeRecord.objects.count() == history


def test_more_decimals_than_a_report_keeps_are_refused(city, period, owner_projects):
    client = login(city.users.owner)
    before = stored()
    sheet, rows = download(client, period)
    draft, absent = rows[owner_projects["draft"].pk], rows[owner_projects["absent"].pk]
    sheet[f"{INVESTED}{draft}"] = 12.345
    sheet[f"{PERCENT}{draft}"] = 35.25
    sheet[f"{WORKERS}{absent}"] = 12.5
    response = upload(client, period, sheet)
    assert response.status_code == 200
    problems = {(p.row, p.column): p.message for p in response.context["problems"]}
    assert problems == {
        (draft, "本期完成投资（万元）"): "确认小数不超过 2 位.",
        (draft, "形象进度（%）"): "确认小数不超过 1 位.",
        (absent, "现场施工人数"): "“12.5”的值应该是一个整型",
    }
    assert stored() == before


@pytest.mark.parametrize(
    "value, places, expected",
    [
        (2374.7, 2, Decimal("2374.70")),
        (2374.7000000000003, 2, Decimal("2374.70")),
        (0.1 + 0.2, 2, Decimal("0.30")),
        (88, 2, Decimal("88.00")),
        (12.299999999999999, 1, Decimal("12.3")),
        (12.345, 2, Decimal("12.345")),  # typed with three decimals: left for the form to refuse
        (123456789012.345, 2, Decimal("123456789012.345")),
        ("12.3", 2, "12.3"),
        (None, 2, None),
    ],
)
def test_a_number_reads_back_as_the_decimals_excel_shows(value, places, expected):
    read = read_decimal(value, places)
    assert read == expected and str(read) == str(expected)


def test_counts_and_text_read_back_as_typed():
    assert [read_whole(v) for v in (12, 12.0, "12", " 12.0 ", 12.5, "很多")] == [
        12,
        12,
        12,
        12,
        "12.5",
        "很多",
    ]
    assert [read_cell_text(v) for v in (2026, 12.0, 0.1 + 0.2, "'=继续", None)] == [
        "2026",
        "12",
        "0.3",
        "=继续",
        None,
    ]
