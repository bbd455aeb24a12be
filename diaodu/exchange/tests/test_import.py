"""The ledger import: all or nothing, matched by code or by name and region, recorded."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from diaodu.conftest import login
from diaodu.core.excel import to_bytes
from diaodu.core.models import ChangeRecord
from diaodu.exchange.importer import ProjectImport
from diaodu.exchange.reader import read
from diaodu.exchange.samples import HEADERS, ledger_rows, ledger_workbook
from diaodu.factories import LeaderFactory, UnitFactory
from diaodu.org.choices import UnitKind
from diaodu.org.models import Leader, Unit
from diaodu.projects.models import AnnualPlan, Project

# The ledgers below are 2026's, imported in November 2026 into the city of that year.
pytestmark = pytest.mark.today("2026-11-20")

CODE = "2111-522323-04-01-342068"


def sheet_of(rows, name="ledger.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    return read(SimpleUploadedFile(name, to_bytes(workbook)))


def check(user, rows, **options):
    importer = ProjectImport(user, **options)
    return importer, importer.check(sheet_of(rows))


def run(user, rows, **options):
    importer, plan = check(user, rows, **options)
    assert plan.ok, plan.problems
    importer.apply(plan)
    return plan


HEADER = ["项目名称", "项目代码", "所在县区", "总投资（亿元）", "建设起止年限", "建设单位",
          "牵头单位", "责任单位", "分包领导", "项目阶段", "行业", "年度计划投资"]  # fmt: skip


@pytest.fixture
def directory(city):
    """The sample ledger's units and leaders, on top of the small city."""
    regions = ["解放区", "高新区"]
    owners = ["市投资集团", "高新建投"]
    departments = ["交通运输局", "自然资源和规划局"]
    leaders = ["王建国", "李红"]
    LeaderFactory(name="李红")
    return dict(regions=regions, owners=owners, departments=departments, leaders=leaders)


def test_a_new_project_with_every_column(city):
    plan = run(
        city.users.hq,
        [["2026年重点项目台账"], HEADER,
         ["新项目", CODE, "高新区", 1.5, "2025.03-2027.06", "市投资集团", "交通运输局",
          "交通运输局、自然资源和规划局", "王建国", "新建", "交通", 3000]],
    )  # fmt: skip
    assert plan.counts["created"] == 1
    project = Project.objects.get(name="新项目")
    assert project.national_code == CODE
    assert project.region == city.gaoxin
    assert project.total_investment == Decimal("15000.00")
    assert (project.planned_start, project.planned_completion) == (
        date(2025, 3, 1),
        date(2027, 6, 30),
    )
    assert project.owner == city.touzi and project.lead_unit == city.jiaotong
    assert set(project.responsible_units.all()) == {city.jiaotong, city.ziran}
    assert list(project.leaders.all()) == [city.leader]
    assert (project.stage, project.category) == ("new", "transport")
    assert AnnualPlan.objects.get(project=project).planned_investment == Decimal("3000.00")
    record = ChangeRecord.objects.get(
        project=project, action="create", content_type__model="project"
    )
    assert record.actor == city.users.hq and record.changes["total_investment"][1] == "15000.00"
    project.refresh_from_db()
    assert project.light_computed_at is not None


def test_matches_by_code_then_by_name_and_region(city):
    city.projects.gaoxin.national_code = CODE
    city.projects.gaoxin.save()
    plan = run(
        city.users.hq,
        [["项目名称", "项目代码", "所在县区", "总投资（万元）"],
         ["高新区项目（更名）", CODE, "高新区", 100],
         ["解放区项目", "", "解放区", 200],
         ["解放区项目", "", "高新区", 300]],
    )  # fmt: skip
    assert plan.counts == {"created": 1, "updated": 2, "unchanged": 0, "skipped": 0, "problems": 0}
    city.projects.gaoxin.refresh_from_db()
    assert city.projects.gaoxin.name == "高新区项目（更名）"
    assert city.projects.gaoxin.total_investment == 100
    city.projects.jiefang.refresh_from_db()
    assert city.projects.jiefang.total_investment == 200
    assert Project.objects.get(name="解放区项目", region=city.gaoxin).total_investment == 300


def test_city_level_region_matches_the_city_level_project(city):
    plan = run(city.users.hq, [["项目名称", "所在县区", "总投资（万元）"], ["全市项目", "市级", 9]])
    assert plan.counts["updated"] == 1
    city.projects.city.refresh_from_db()
    assert city.projects.city.total_investment == 9


def test_blank_cells_leave_fields_alone(city):
    project = city.projects.jiefang
    before = (project.owner_id, project.lead_unit_id, project.total_investment)
    plan = run(
        city.users.hq,
        [["项目名称", "所在县区", "建设单位", "牵头单位", "总投资（万元）", "建设内容及规模"],
         ["解放区项目", "解放区", "", None, "", "新建道路"]],
    )  # fmt: skip
    project.refresh_from_db()
    assert (project.owner_id, project.lead_unit_id, project.total_investment) == before
    assert project.scope == "新建道路"
    assert list(plan.rows[0].changes) == ["scope"]


def test_dry_run_counts_exactly_and_writes_nothing(city):
    records = ChangeRecord.objects.count()
    _importer, plan = check(
        city.users.hq,
        [["项目名称", "所在县区", "总投资（万元）"],
         ["解放区项目", "解放区", float(city.projects.jiefang.total_investment)],
         ["高新区项目", "高新区", 1],
         ["新项目甲", "解放区", 2],
         ["新项目乙", "", 3],
         ["合计", "", 99]],
    )  # fmt: skip
    assert plan.counts == {"created": 2, "updated": 1, "unchanged": 1, "skipped": 1, "problems": 0}
    assert plan.rows[1].changes["total_investment"][1] == "1.00"
    assert Project.objects.count() == 4 and ChangeRecord.objects.count() == records


def test_every_problem_named_and_nothing_written(city):
    _importer, plan = check(
        city.users.hq,
        [["项目名称", "项目代码", "所在县区", "总投资（万元）", "建设起止年限", "牵头单位",
          "分包领导", "项目阶段"],
         ["甲", "12-34", "火星区", -1, "2025-2023", "不存在局", "张三", "开工中"],
         ["", "", "解放区", 5, "", "", "", ""],
         ["乙", CODE, "解放区", 1, "", "", "", ""],
         ["丙", CODE, "解放区", 1, "", "", "", ""]],
    )  # fmt: skip
    found = {(p.row, p.column) for p in plan.problems}
    assert {
        (2, "项目代码"),
        (2, "所在县区"),
        (2, "总投资（万元）"),
        (2, "建设起止年限"),
        (2, "牵头单位"),
        (2, "分包领导"),
        (2, "项目阶段"),
        (3, "项目名称"),
        (5, "项目代码"),
    } <= found
    assert all(p.message for p in plan.problems)
    with pytest.raises(ValueError):
        _importer.apply(plan)


def test_unknown_names_created_only_when_asked(city):
    rows = [["项目名称", "所在县区", "建设单位", "分包领导"], ["新项目", "新区", "新公司", "赵六"]]
    _importer, plan = check(city.users.hq, rows)
    assert len(plan.problems) == 3
    plan = run(city.users.hq, rows, create_missing=True)
    project = Project.objects.get(name="新项目")
    assert project.region.name == "新区" and project.region.kind == UnitKind.REGION
    assert project.owner.name == "新公司" and project.owner.kind == UnitKind.ENTERPRISE
    assert Leader.objects.filter(name="赵六").exists()
    _importer, plan = check(city.users.jiefang, rows, create_missing=True)
    assert not plan.ok  # only headquarters adds to the directory


def test_units_matched_by_alias_and_ambiguous_short_names_refused(city):
    city.jiaotong.aliases = ["市交通局"]
    city.jiaotong.save()
    UnitFactory(name="甲局一", short_name="甲局", kind=UnitKind.DEPARTMENT)
    UnitFactory(name="甲局二", short_name="甲局", kind=UnitKind.DEPARTMENT)
    _importer, plan = check(
        city.users.hq,
        [["项目名称", "牵头单位"], ["新项目一", "市交通局"], ["新项目二", "甲局"]],
    )
    assert [(p.row, p.column) for p in plan.problems] == [(3, "牵头单位")]


def test_same_name_in_two_regions_needs_the_region(city):
    _importer, plan = check(
        city.users.hq,
        [["项目名称", "总投资（万元）"], ["解放区项目", 1]],
    )
    assert plan.ok  # one project of that name: matched
    Project.objects.create(name="解放区项目", region=city.gaoxin)
    _importer, plan = check(city.users.hq, [["项目名称", "总投资（万元）"], ["解放区项目", 1]])
    assert "解放区项目" in plan.problems[0].message


def test_a_region_imports_only_its_own_area(city):
    rows = [["项目名称", "所在县区", "总投资（万元）"], ["街道项目", "焦南街道", 1],
            ["高新区项目", "高新区", 1]]  # fmt: skip
    _importer, plan = check(city.users.jiefang, rows)
    assert [p.row for p in plan.problems] == [3, 3]
    for user in (city.users.owner, city.users.jiaotong, city.users.nobody):
        with pytest.raises(PermissionDenied):
            ProjectImport(user)


def test_programme_given_adds_every_project(city):
    plan = run(
        city.users.hq, [["项目名称", "所在县区"], ["解放区项目", "解放区"], ["新项目", "高新区"]],
        program=city.program,
    )  # fmt: skip
    assert plan.counts["created"] == 1 and plan.counts["unchanged"] == 1
    assert city.program.projects.filter(name="新项目").exists()


def test_two_thousand_rows_in_one_go_and_three_bad_rows_change_nothing(directory, city):
    rows = list(ledger_rows(2000, **directory))
    data = ledger_workbook(rows)
    sheet = read(SimpleUploadedFile("ledger.xlsx", data))
    importer = ProjectImport(city.users.hq, year=2026)
    plan = importer.check(sheet)
    assert plan.ok and plan.counts["created"] == 2000 and plan.skipped == [2004]
    importer.apply(plan)
    assert Project.objects.count() == 2004
    assert AnnualPlan.objects.filter(year=2026).count() == 2004
    assert Project.objects.get(name="样例项目00002").total_investment == Decimal("8700.00")

    # The same file with three bad rows: nothing changes, and the three rows are named.
    changed = [list(row) for row in ledger_rows(2000, **directory)]
    for row in changed:
        row[HEADERS.index("总投资（亿元）")] = 9
    bad = {
        10: {"所在县区": "火星区"},
        500: {"总投资（亿元）": "很多"},
        1999: {"建设性质": "开工中"},
    }
    sheet = read(SimpleUploadedFile("ledger.xlsx", ledger_workbook(changed, bad=bad)))
    plan = ProjectImport(city.users.hq, year=2026).check(sheet)
    assert sorted({p.row for p in plan.problems}) == [14, 504, 2003]
    assert not Project.objects.filter(total_investment=90000).exists()

    # Fixed, it updates exactly the 2,000 rows.
    sheet = read(SimpleUploadedFile("ledger.xlsx", ledger_workbook(changed)))
    plan = ProjectImport(city.users.hq, year=2026).check(sheet)
    assert plan.counts["updated"] == 2000 and plan.counts["created"] == 0


def test_import_queries_do_not_grow_with_rows(directory, city, django_assert_max_num_queries):
    data = ledger_workbook(list(ledger_rows(300, **directory)))
    sheet = read(SimpleUploadedFile("ledger.xlsx", data))
    importer = ProjectImport(city.users.hq, year=2026)
    with django_assert_max_num_queries(60):
        importer.apply(importer.check(sheet))


def test_the_check_reads_only_the_projects_the_file_names(city, monkeypatch):
    """A file of a few rows against a province's ledger reads those rows' projects (by code,
    as written or normalised, and by name), in chunks, and still finds each one."""
    from diaodu.exchange import importer as module

    monkeypatch.setattr(module, "CHUNK", 2)  # several chunks even here
    city.projects.gaoxin.national_code = CODE
    city.projects.gaoxin.save()
    importer, plan = check(
        city.users.hq,
        [["项目名称", "项目代码", "所在县区", "总投资（万元）"],
         ["改名的项目", " " + CODE.replace("-", "－"), "高新区", 100],
         ["解放区项目", "", "解放区", 200],
         ["新项目", "", "解放区", 300]],
        year=2026,
    )  # fmt: skip
    assert plan.counts["updated"] == 2 and plan.counts["created"] == 1, plan.problems
    assert set(importer.projects) == {city.projects.gaoxin.pk, city.projects.jiefang.pk}
    assert Project.objects.count() > 2


def test_export_then_import_changes_nothing(city):
    project = city.projects.gaoxin
    project.national_code = CODE
    project.scope = '=HYPERLINK("x")'  # text that looks like a formula survives the trip
    project.planned_start, project.planned_completion = date(2024, 3, 17), date(2026, 9, 2)
    project.save()
    client = login(city.users.hq)
    export = client.get(reverse("projects:export"), {"year": 2026})
    sheet = read(SimpleUploadedFile("ledger.xlsx", export.content))
    importer = ProjectImport(city.users.hq, year=2026)
    plan = importer.check(sheet)
    assert plan.ok, plan.problems
    assert plan.counts["unchanged"] == 4 and plan.counts["skipped"] == 1
    records = ChangeRecord.objects.count()
    importer.apply(plan)
    assert ChangeRecord.objects.count() == records


def test_the_demo_ledger_round_trips(demo_city):
    from diaodu.org.models import User

    year = demo_city.today.year
    hq = User.objects.get(username="hq")
    client = Client()
    client.force_login(hq)
    export = client.get(reverse("projects:export"), {"year": year})
    before = {
        p.pk: (p.name, p.region_id, p.total_investment, p.stage, p.owner_id, p.updated_at)
        for p in Project.objects.all()
    }
    records = ChangeRecord.objects.count()
    importer = ProjectImport(hq, year=year)
    plan = importer.check(read(io.BytesIO(export.content), "ledger.xlsx"))
    assert plan.ok, plan.problems[:5]
    assert plan.counts["unchanged"] == len(before) and plan.counts["created"] == 0
    importer.apply(plan)
    after = {
        p.pk: (p.name, p.region_id, p.total_investment, p.stage, p.owner_id, p.updated_at)
        for p in Project.objects.all()
    }
    assert after == before and ChangeRecord.objects.count() == records
    assert Unit.objects.filter(code__startswith="imp-").count() == 0
