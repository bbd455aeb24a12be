"""A whole city in one workbook: the project sheet, and the projects' annual plans with their
months, milestones, approvals and funding lines, one sheet each, built here in code. Each test
checks what is written (or that nothing is), not only that nothing failed."""

import io
import pickle
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from diaodu.conftest import login
from diaodu.core.models import Action, ChangeRecord
from diaodu.exchange import detail_columns, jobs, workbooks
from diaodu.exchange.importer import ProjectImport
from diaodu.exchange.reader import read
from diaodu.exchange.tests.test_real_shapes import check, imported, workbook_of
from diaodu.factories import ApprovalFactory, MilestoneFactory, ProjectFactory
from diaodu.projects.choices import ApprovalKind, ApprovalStatus, FundingSource
from diaodu.projects.models import (
    AnnualPlan,
    Approval,
    FundingLine,
    Milestone,
    PlanMonth,
    Project,
)
from diaodu.projects.signals import project_facts_changed

pytestmark = pytest.mark.today("2026-11-20")

CODE_A = "2019-410800-48-01-000101"
CODE_B = "2019-410800-48-01-000102"
PROJECTS = ("项目表", [
    ["项目名称", "项目代码", "所在县区", "项目阶段", "总投资（万元）"],
    ["东区供水管网工程", CODE_A, "解放区", "续建", 30000],
    ["高新区创新中心", "", "高新区", "新开工", 80000],
])  # fmt: skip
PLANS = ("年度计划", [
    ["2026年重点项目分月计划表"],
    ["项目代码", "项目名称", "所在县区", "年度", "年度计划投资（万元）", "年度目标任务",
     *[f"{m}月" for m in range(1, 13)]],
    [CODE_A, "东区供水管网工程", "", 2026, 1200, "完成管网铺设",
     *([100] * 12)],
    ["", "高新区创新中心", "高新区", 2026, None, "主体封顶",
     0, 0, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500],
    ["", "解放区项目", "解放区", 2026, 2400, "", *([200] * 12)],
])  # fmt: skip
MILESTONES = ("形象节点", [
    ["项目代码", "项目名称", "所在县区", "节点名称", "计划完成时间", "实际完成时间", "备注",
     "节点责任单位"],
    [CODE_A, "", "", "开工", "2026-03-31", "2026-04-10", ""],
    ["", "高新区创新中心", "高新区", "主体结构封顶", "2027.06", "", "倒排工期"],
    ["", "解放区项目", "解放区", "竣工验收", "2026-12-31", "", ""],
])  # fmt: skip
APPROVALS = ("前期手续", [
    ["项目代码", "项目名称", "所在县区", "审批事项", "办理状态", "受理时间", "办结时间",
     "批复文号"],
    [CODE_A, "", "", "环评批复", "已办结", "2026-03-02", "2026-03-30", "焦环审〔2026〕12号"],
    ["", "解放区项目", "解放区", "施工许可证", "", "2026-11-02", "", ""],
])  # fmt: skip
FUNDING = ("资金来源", [
    ["项目代码", "项目名称", "所在县区", "资金来源", "计划金额（亿元）", "已落实（万元）",
     "已到位（万元）"],
    [CODE_A, "", "", "专项债", 1.2, 10000, 6000],
    ["", "高新区创新中心", "高新区", "企业自筹", 3, None, None],
    ["", "解放区项目", "解放区", "中央预算内投资", "0.05亿元", 500, 500],
])  # fmt: skip


def problems(plan):
    return [(p.sheet, p.row, p.column, p.message) for p in plan.problems]


def whole_city():
    return workbook_of(PROJECTS, PLANS, MILESTONES, APPROVALS, FUNDING)


def test_detail_sheets_are_read_apart_from_the_project_sheets():
    ledger = read(SimpleUploadedFile("city.xlsx", whole_city()))
    assert [s.name for s in ledger.sheets] == ["项目表"]
    assert [(s.name, s.kind) for s in ledger.details] == [
        ("年度计划", "plan"),
        ("形象节点", "milestone"),
        ("前期手续", "approval"),
        ("资金来源", "funding"),
    ]
    plans = ledger.details[0]
    assert plans.header_row == 2
    assert plans.used["month_12"] == 17 and plans.used["planned_investment"] == 4
    assert ledger.details[3].factor("planned") == Decimal(10000)  # 亿元
    assert pickle.loads(pickle.dumps(ledger)).details[1].rows == ledger.details[1].rows


def test_a_file_of_details_alone_is_a_ledger(city):
    data = workbook_of(MILESTONES[0:1] + ([MILESTONES[1][0], MILESTONES[1][3]],))
    ledger = read(SimpleUploadedFile("m.xlsx", data))
    assert ledger.sheets == [] and len(ledger.details) == 1
    plan = imported(city.users.hq, data)
    assert list(Milestone.objects.values_list("name", "planned_date")) == [
        ("竣工验收", date(2026, 12, 31))
    ]
    assert plan.rows == []


def test_months_on_two_header_rows_with_their_unit_above(city):
    data = workbook_of(("分月", [
        ["项目名称", "所在县区", "年度计划投资（万元）", "月度计划（亿元）", *[None] * 11],
        [None, None, None, *[f"{m}月" for m in range(1, 13)]],
        ["一、产业项目"],
        ["解放区项目", "解放区", 12000, *([0.1] * 12)],
    ]))  # fmt: skip
    ledger = read(SimpleUploadedFile("m.xlsx", data))
    assert ledger.sheets == []
    (sheet,) = ledger.details
    assert sheet.kind == "plan" and sheet.header_row == 2
    assert [sheet.used[f"month_{m}"] for m in (1, 12)] == [3, 14]
    plan = imported(city.users.hq, data)
    assert plan.warnings == []
    annual = AnnualPlan.objects.get(project=city.projects.jiefang, year=2026)
    assert annual.planned_investment == Decimal("12000.00")
    assert set(annual.months.values_list("planned_investment", flat=True)) == {Decimal("1000.00")}


def test_the_file_given_back_marks_the_detail_sheets(city):
    rows = [list(row) for row in MILESTONES[1]]
    rows[3][4] = "明年"
    data = workbook_of(("形象节点", rows))
    _importer, plan = check(city.users.hq, data)
    problems_ = [p.as_dict() for p in plan.problems]
    marked = load_workbook(io.BytesIO(workbooks.marked(read(SimpleUploadedFile("m.xlsx", data)),
                                                       problems_)))  # fmt: skip
    sheet = marked["形象节点"]
    assert sheet.cell(row=4, column=5).comment.text == problems_[-1]["message"]
    assert sheet.cell(row=4, column=5).fill.fgColor.rgb.endswith("F8D7DA")


def test_the_lights_of_the_projects_whose_details_change_are_refreshed(city):
    told = []

    def listen(sender, project_ids, **kwargs):
        told.append(set(project_ids))

    project_facts_changed.connect(listen)
    try:
        imported(city.users.hq, workbook_of(("形象节点", [MILESTONES[1][0], MILESTONES[1][3]])))
    finally:
        project_facts_changed.disconnect(listen)
    assert {city.projects.jiefang.pk} in told


def test_a_whole_city_in_one_workbook(city):
    existing = city.projects.jiefang
    before = Project.objects.count()
    plan = imported(city.users.hq, whole_city())
    assert Project.objects.count() == before + 2
    a = Project.objects.get(national_code=CODE_A)
    b = Project.objects.get(name="高新区创新中心")
    assert b.region == city.gaoxin

    plans = {
        (p.project_id, p.year): (p.planned_investment, p.targets)
        for p in AnnualPlan.objects.filter(project__in=[a, b, existing])
    }
    assert plans == {
        (a.pk, 2026): (Decimal("1200.00"), "完成管网铺设"),
        (b.pk, 2026): (Decimal("5000.00"), "主体封顶"),  # the sum of its months
        (existing.pk, 2026): (Decimal("2400.00"), ""),
    }
    months = {
        project.pk: {
            m.month: m.planned_investment
            for m in PlanMonth.objects.filter(plan__project=project, plan__year=2026)
        }
        for project in (a, b, existing)
    }
    assert months[a.pk] == {m: Decimal("100.00") for m in range(1, 13)}
    assert months[b.pk] == {m: Decimal("500.00") for m in range(3, 13)}  # no 0 planned
    assert months[existing.pk] == {m: Decimal("200.00") for m in range(1, 13)}

    milestones = set(
        Milestone.objects.filter(project__in=[a, b, existing]).values_list(
            "project_id", "name", "planned_date", "baseline_date", "actual_date", "note"
        )
    )
    assert milestones == {
        (a.pk, "开工", date(2026, 3, 31), date(2026, 3, 31), date(2026, 4, 10), ""),
        (b.pk, "主体结构封顶", date(2027, 6, 30), date(2027, 6, 30), None, "倒排工期"),
        (existing.pk, "竣工验收", date(2026, 12, 31), date(2026, 12, 31), None, ""),
    }

    approvals = {
        approval.project_id: approval
        for approval in Approval.objects.filter(project__in=[a, b, existing])
    }
    assert set(approvals) == {a.pk, existing.pk}
    done, running = approvals[a.pk], approvals[existing.pk]
    assert (done.kind, done.status, done.applied_on, done.completed_on, done.document_number) == (
        ApprovalKind.ENVIRONMENTAL,
        ApprovalStatus.DONE,
        date(2026, 3, 2),
        date(2026, 3, 30),
        "焦环审〔2026〕12号",
    )
    assert (running.kind, running.status, running.applied_on) == (
        ApprovalKind.CONSTRUCTION_PERMIT,
        ApprovalStatus.IN_PROGRESS,  # accepted on a date: started
        date(2026, 11, 2),
    )
    assert running.time_limit_days == 7 and running.due_on is not None  # its kind's limit

    lines = set(
        FundingLine.objects.filter(project__in=[a, b, existing]).values_list(
            "project_id", "source", "planned", "secured", "disbursed"
        )
    )
    assert lines == {
        (a.pk, FundingSource.SPECIAL_BOND, Decimal("12000.00"), Decimal("10000.00"),
         Decimal("6000.00")),
        (b.pk, FundingSource.SELF_RAISED, Decimal("30000.00"), Decimal("0.00"), Decimal("0.00")),
        (existing.pk, FundingSource.CENTRAL_BUDGET, Decimal("500.00"), Decimal("500.00"),
         Decimal("500.00")),
    }  # fmt: skip

    # Every object written is in its project's history, by the importer, with the file named.
    records = ChangeRecord.objects.filter(actor=city.users.hq)
    by_model = {}
    for record in records:
        by_model.setdefault((record.content_type.model, record.action), 0)
        by_model[(record.content_type.model, record.action)] += 1
    assert by_model == {
        ("project", Action.CREATE): 2,
        ("annualplan", Action.CREATE): 2,
        ("annualplan", Action.UPDATE): 1,
        ("planmonth", Action.CREATE): 12 + 10 + 12,
        ("milestone", Action.CREATE): 3,
        ("approval", Action.CREATE): 2,
        ("fundingline", Action.CREATE): 3,
    }
    update = records.get(content_type__model="annualplan", action=Action.UPDATE)
    assert update.project_id == existing.pk
    assert update.changes == {"planned_investment": ["1200.00", "2400.00"]}
    funding = records.get(content_type__model="fundingline", project_id=a.pk)
    assert funding.changes["planned"] == [None, "12000.00"]
    assert funding.reason == records.get(content_type__model="project", object_id=str(a.pk)).reason

    summary = jobs.summary(plan)["details"]
    counts = {k["kind"]: (k["created"], k["updated"]) for k in summary["kinds"]}
    assert counts == {
        "annualplan": (2, 1),
        "planmonth": (34, 0),
        "milestone": (3, 0),
        "approval": (2, 0),
        "fundingline": (3, 0),
    }


def test_the_same_file_again_changes_nothing(city):
    imported(city.users.hq, whole_city())
    records = ChangeRecord.objects.count()
    importer, plan = check(city.users.hq, whole_city())
    assert plan.ok
    assert plan.details.changes == []
    assert plan.counts["created"] == 0 and plan.counts["updated"] == 0
    assert plan.details.summary()["unchanged"] == 3 + 3 + 2 + 3
    importer.apply(plan)
    assert ChangeRecord.objects.count() == records


def test_a_change_is_recorded_before_and_after(city):
    milestone = MilestoneFactory(project=city.projects.jiefang, name="竣工验收")
    imported(city.users.hq, workbook_of(("形象节点", [MILESTONES[1][0], MILESTONES[1][3]])))
    milestone.refresh_from_db()
    assert milestone.planned_date == date(2026, 12, 31)
    record = ChangeRecord.objects.get(content_type__model="milestone", action=Action.UPDATE)
    assert record.object_id == str(milestone.pk)
    assert record.changes["planned_date"][1] == "2026-12-31"


BAD_CELLS = [
    # (sheet, row index in its rows, column index, bad value, column header)
    (PLANS, 2, 8, "一百", "3月"),
    (MILESTONES, 2, 4, "明年", "计划完成时间"),
    (APPROVALS, 1, 3, "不存在的手续", "审批事项"),
    (FUNDING, 1, 6, 9000, "已到位（万元）"),  # more disbursed than secured (6000 → 9000 > …)
]


@pytest.mark.parametrize(("sheet", "index", "column", "value", "header"), BAD_CELLS)
def test_a_bad_row_in_any_sheet_writes_nothing(city, sheet, index, column, value, header):
    title, rows = sheet
    rows = [list(row) for row in rows]
    rows[index][column] = value
    if title == "资金来源":
        rows[index][5] = 100  # secured 100, disbursed 9000
    sheets = [
        s if s[0] != title else (title, rows) for s in (PLANS, MILESTONES, APPROVALS, FUNDING)
    ]
    projects, records = Project.objects.count(), ChangeRecord.objects.count()
    _importer, plan = check(city.users.hq, workbook_of(PROJECTS, *sheets))
    assert not plan.ok
    (found,) = problems(plan)
    assert found[:3] == (title, index + 1, header)
    assert Project.objects.count() == projects
    assert ChangeRecord.objects.count() == records
    assert not Milestone.objects.exists() and not FundingLine.objects.exists()


def test_a_failure_while_writing_details_undoes_the_projects_too(city):
    importer, plan = check(city.users.hq, whole_city())
    assert plan.ok
    # Someone adds the same funding line after the check: the write fails on the constraint.
    FundingLine.objects.create(
        project=city.projects.jiefang, source=FundingSource.CENTRAL_BUDGET, planned=1
    )
    projects = Project.objects.count()
    with pytest.raises(IntegrityError):
        importer.apply(plan)
    assert Project.objects.count() == projects
    assert not Project.objects.filter(national_code=CODE_A).exists()


def test_an_unknown_project_is_a_problem(city):
    data = workbook_of(("形象节点", [
        MILESTONES[1][0],
        ["", "没有这个项目", "解放区", "开工", "2026-03-31"],
        ["2019-410800-48-01-000999", "", "", "开工", "2026-03-31"],
        ["", "解放区项目", "高新区", "开工", "2026-03-31"],  # in another region
        ["", "解放区项目", "不存在区", "开工", "2026-03-31"],
    ]))  # fmt: skip
    _importer, plan = check(city.users.hq, data)
    assert problems(plan) == [
        ("形象节点", 2, "项目名称",
         "找不到名为“没有这个项目”的项目；请在本文件的项目表中添加，或核对名称。"),
        ("形象节点", 3, "项目代码",
         "没有项目代码为 2019-410800-48-01-000999 的项目；请在本文件的项目表中添加，或核对代码。"),
        ("形象节点", 4, "项目名称",
         "找不到名为“解放区项目”的项目；请在本文件的项目表中添加，或核对名称。"),
        ("形象节点", 5, "所在县区", "未知县区“不存在区”。"),
    ]  # fmt: skip
    assert not Milestone.objects.exists()


def test_repeats_are_problems(city):
    data = workbook_of(("形象节点", [
        MILESTONES[1][0],
        ["", "解放区项目", "解放区", "开工", "2026-03-31"],
        ["", "解放区项目", "", "开工", "2026-04-30"],
    ]))  # fmt: skip
    _importer, plan = check(city.users.hq, data)
    ((sheet, row, column, message),) = problems(plan)
    assert (sheet, row, column) == ("形象节点", 3, "节点名称")
    assert message == "与工作表“形象节点”第 2 行重复：同一项目、同一节点名称。"


def test_months_that_do_not_add_up_are_a_warning(city):
    data = workbook_of(("年度计划", [
        PLANS[1][1],
        ["", "解放区项目", "解放区", 2026, 3000, "", *([200] * 12)],
    ]))  # fmt: skip
    plan = imported(city.users.hq, data)
    ((warning),) = plan.warnings
    assert (warning.sheet, warning.row, warning.column) == ("年度计划", 2, "年度计划投资（万元）")
    assert "2400" in warning.message and "3000" in warning.message
    annual = AnnualPlan.objects.get(project=city.projects.jiefang, year=2026)
    assert annual.planned_investment == Decimal("3000.00") and annual.months.count() == 12


def test_the_project_sheet_and_the_plan_sheet_must_agree(city):
    projects = ("项目表", [
        ["项目名称", "项目代码", "所在县区", "项目阶段", "年度计划投资（万元）"],
        ["东区供水管网工程", CODE_A, "解放区", "续建", 1500],
    ])  # fmt: skip
    _importer, plan = check(city.users.hq, workbook_of(projects, ("年度计划", PLANS[1][:3])))
    ((sheet, row, column, message),) = problems(plan)
    assert (sheet, row, column) == ("年度计划", 3, "年度计划投资（万元）")
    assert "1500.00" in message


def test_a_region_writes_only_its_own_parts(city):
    region = city.users.jiefang
    ApprovalFactory(project=city.projects.jiefang, kind=ApprovalKind.CONSTRUCTION_PERMIT)
    data = workbook_of(
        ("年度计划", [PLANS[1][1], PLANS[1][4]]),
        ("形象节点", [MILESTONES[1][0], ["", "解放区项目", "解放区", "开工", "2026-03-31",
                                         "2026-04-01"]]),
        ("前期手续", [APPROVALS[1][0], APPROVALS[1][2]]),
        ("资金来源", [FUNDING[1][0], ["", "解放区项目", "解放区", "专项债", 1, 5000]]),
        ("他区", [MILESTONES[1][0], ["", "高新区项目", "高新区", "开工", "2026-03-31"]]),
    )  # fmt: skip
    _importer, plan = check(region, data)
    assert problems(plan) == [
        ("形象节点", 2, "实际完成时间", "您无权修改该项目的节点完成情况。"),
        ("前期手续", 2, "审批事项", "您不能修改此项手续。"),
        ("资金来源", 2, "已落实（万元）", "您无权修改该项目的资金落实和到位情况。"),
        ("他区", 2, "项目名称",
         "找不到名为“高新区项目”的项目；请在本文件的项目表中添加，或核对名称。"),
    ]  # fmt: skip
    # What is its own, a region writes.
    data = workbook_of(
        ("年度计划", [PLANS[1][1], PLANS[1][4]]),
        ("形象节点", [MILESTONES[1][0], ["", "解放区项目", "解放区", "开工", "2026-03-31"]]),
        ("资金来源", [FUNDING[1][0], ["", "解放区项目", "解放区", "专项债", 1]]),
    )  # fmt: skip
    imported(region, data)
    project = city.projects.jiefang
    assert project.milestones.get().planned_date == date(2026, 3, 31)
    assert project.funding_lines.get().planned == Decimal("10000.00")
    assert project.annual_plans.get(year=2026).months.count() == 12


def test_the_apply_asks_again(city):
    importer, plan = check(city.users.hq, workbook_of(APPROVALS[0:1] + ([
        APPROVALS[1][0], APPROVALS[1][2]],)))  # fmt: skip
    assert plan.ok
    with pytest.raises(PermissionDenied):
        plan.details.apply(city.users.jiefang, reason="")
    assert not Approval.objects.exists()


def test_the_template_filled_with_its_examples_imports_cleanly(city):
    project = ProjectFactory(
        name=detail_columns.EXAMPLE_NAME,
        national_code=detail_columns.EXAMPLE_CODE,
        region=city.jiefang,
    )
    data = workbooks.city_template()
    names = load_workbook(io.BytesIO(data)).sheetnames
    assert names == ["年度计划", "时间节点", "前期手续", "资金来源", "填写说明"]
    plan = imported(city.users.hq, data)
    assert plan.warnings == []
    annual = project.annual_plans.get(year=2026)
    assert annual.planned_investment == Decimal("5000.00")
    assert annual.months_total() == Decimal("5000.00")
    assert project.milestones.get().name == "主体结构封顶"
    assert project.approvals.get().status == ApprovalStatus.DONE
    assert project.funding_lines.get().disbursed == Decimal("8000.00")
    _importer, again = check(city.users.hq, data)
    assert again.ok and again.details.changes == []


def test_the_dry_run_page_shows_what_the_details_will_do(city):
    client = login(city.users.hq)
    upload = SimpleUploadedFile("city.xlsx", whole_city())
    response = client.post(reverse("exchange:import"), {"file": upload, "year": 2026})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "月度计划 34 将新增 · 0 将更新" in shown, shown
    assert "年度计划 2 将新增 · 1 将更新" in shown
    assert not Milestone.objects.exists()  # a dry run


def test_the_city_template_is_downloaded(city):
    response = login(city.users.jiefang).get(reverse("exchange:city-template"))
    assert response.status_code == 200
    ledger = read(
        SimpleUploadedFile(
            "t.xlsx",
            b"".join(response.streaming_content) if response.streaming else response.content,
        )
    )
    assert [s.kind for s in ledger.details] == ["plan", "milestone", "approval", "funding"]


def test_the_api_gives_the_counts_of_the_details(city):
    client = login(city.users.hq)
    upload = SimpleUploadedFile("city.xlsx", whole_city())
    response = client.post("/api/imports/", {"file": upload, "year": 2026})
    assert response.status_code == 200, response.content  # checked at once, without a broker
    job = client.get(f"/api/imports/{response.json()['id']}/").json()
    counts = {k["kind"]: (k["created"], k["updated"]) for k in job["details"]["kinds"]}
    assert counts["milestone"] == (3, 0) and counts["annualplan"] == (2, 1)
    assert job["details"]["changes"] == 2 + 1 + 34 + 3 + 2 + 3


def test_a_problem_with_no_column_of_its_own_points_at_the_project(city):
    data = workbook_of(("分月", [
        ["项目名称", "所在县区", "1月", "2月", "3月"],
        ["解放区项目", "解放区", 100, 100, 100],
        ["解放区项目", "解放区", 200, 200, 200],
    ]))  # fmt: skip
    _importer, plan = check(city.users.hq, data)
    assert problems(plan) == [
        ("分月", 3, "项目名称", "与工作表“分月”第 2 行重复：同一项目、同一年度。")
    ]


def test_the_check_asks_the_same_queries_for_any_number_of_rows(city):
    projects = [ProjectFactory(name=f"批量项目{n}", region=city.jiefang) for n in range(12)]
    for project in projects:
        MilestoneFactory(project=project, name="开工")
        FundingLine.objects.create(project=project, source=FundingSource.SELF_RAISED, planned=1)

    def queries(count):
        data = workbook_of(
            ("形象节点", [MILESTONES[1][0]] + [
                ["", p.name, "解放区", "开工", "2026-05-31", "", "", "交通运输局"]
                for p in projects[:count]
            ]),
            ("资金来源", [FUNDING[1][0]] + [
                ["", p.name, "解放区", "企业自筹", 2, 1, 1] for p in projects[:count]
            ]),
        )  # fmt: skip
        ledger = read(SimpleUploadedFile("m.xlsx", data))
        importer = ProjectImport(city.users.hq)
        with CaptureQueriesContext(connection) as captured:
            plan = importer.check(ledger)
        assert plan.ok, problems(plan)
        assert len(plan.details.changes) == 2 * count
        return len(captured)

    assert queries(2) == queries(12)
