"""The shapes of the lists that provinces and cities really publish, built here in code: title
and note rows, headers on two rows and with line breaks, category and total rows at any
depth, several sheets, 亿元 beside 万元, placeholders, several units in a cell, a county's
government for its region. Each test checks what is imported, not only that nothing failed.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from diaodu.core.excel import to_bytes
from diaodu.exchange import columns as cols
from diaodu.exchange.importer import ProjectImport
from diaodu.exchange.reader import read
from diaodu.factories import UnitFactory
from diaodu.org.choices import UnitKind
from diaodu.projects.choices import Category, Stage
from diaodu.projects.models import AnnualPlan, Project

pytestmark = pytest.mark.today("2026-11-20")


def workbook_of(*sheets, merges=()):
    """A workbook of (title, rows) sheets; `merges` are (sheet index, range) to merge."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    for index, cells in merges:
        workbook.worksheets[index].merge_cells(cells)
    return to_bytes(workbook)


def check(user, data, **options):
    importer = ProjectImport(user, **options)
    return importer, importer.check(read(SimpleUploadedFile("list.xlsx", data)))


def imported(user, data, **options):
    importer, plan = check(user, data, **options)
    assert plan.ok, [p.as_dict() for p in plan.problems]
    importer.apply(plan)
    return plan


# A city list as published: 附件1, a title, the compiler, the unit of amounts, a header whose
# cells break lines, and categories at three depths, each with its count and subtotal.
NOTES = [
    ["附件1"],
    ["2026年市重大项目投资计划表"],
    ["编制单位：市发展和改革委员会", None, None, None, "单位：亿元"],
]
HEADER = ["序号", "项目名称", "建设内容及规模", "建设\n起止年限", "总投资", "2026年\n计划投资",
          "项目业主", "责任单位", "项目类型"]  # fmt: skip


def project(number, name, total, annual, owner="市投资集团", units="交通运输局", kind=""):
    return [number, name, "新建道路12公里", "2025-2027", total, annual, owner, units, kind]


def three_levels():
    return [
        *NOTES,
        HEADER,
        ["", "合计（5个）", "", "", 9.5, 3.5],
        ["一、基础设施（4个）", None, None, None, 7.5, 2.5],
        ["", "（一）交通（3个）", "", "", 6, 2],
        ["", "——铁路（2个）", "", "", 5, 1.5],
        project(1, "北站铁路专用线", 3, 1),
        project(2, "南站铁路货场", 2, 0.5),
        ["", "——公路（1个）", "", "", 1, 0.5],
        project(1, "城东快速路", 1, 0.5),  # 序号 restarts in each section
        ["", "（二）水利（1个）", "", "", 1.5, 0.5],
        project("", "河道整治工程", 1.5, 0.5, units="自然资源和规划局"),  # blank 序号
        ["二、产业发展（1个）", None, None, None, 2, 1],
        project(1, "新材料产业园", 2, 1, owner="高新建投", units="高新区人民政府"),
    ]


def test_category_rows_at_every_depth_are_never_projects(city):
    plan = imported(city.users.hq, workbook_of(("Sheet1", three_levels())))
    names = set(Project.objects.values_list("name", flat=True)) - {
        "解放区项目", "街道项目", "高新区项目", "全市项目",
    }  # fmt: skip
    assert names == {"北站铁路专用线", "南站铁路货场", "城东快速路", "河道整治工程", "新材料产业园"}
    assert plan.counts["created"] == 5
    # 单位：亿元 above the table is the unit of every amount column that names none.
    totals = dict(Project.objects.filter(name__in=names).values_list("name", "total_investment"))
    assert totals["北站铁路专用线"] == Decimal("30000.00")
    assert sum(totals.values()) == Decimal("95000.00")  # the file's own 合计, 9.5 亿元
    plans = AnnualPlan.objects.filter(project__name__in=names, year=2026)
    assert sum(p.planned_investment for p in plans) == Decimal("35000.00")
    # The category a row falls under becomes the project's: 铁路 and 公路 are transport, 水利
    # water, 产业发展 industry.
    categories = dict(Project.objects.filter(name__in=names).values_list("name", "category"))
    assert categories == {
        "北站铁路专用线": Category.TRANSPORT,
        "南站铁路货场": Category.TRANSPORT,
        "城东快速路": Category.TRANSPORT,
        "河道整治工程": Category.WATER,
        "新材料产业园": Category.INDUSTRY,
    }
    # A district government as the responsible unit gives the project its region.
    assert Project.objects.get(name="新材料产业园").region == city.gaoxin
    # Subtotals that agree raise no warning; the dry run lists the category rows it saw.
    assert plan.warnings == []
    (report,) = plan.sheets
    assert [(s.depth, s.label) for s in report.sections] == [
        (1, "基础设施"), (2, "交通"), (3, "铁路"), (3, "公路"), (2, "水利"), (1, "产业发展"),
    ]  # fmt: skip
    assert report.projects == 5
    assert report.imported["total_investment"] == Decimal("95000.00")
    assert report.stated["total_investment"][1] == Decimal("95000.00")


def test_the_dry_run_shows_each_column_its_field_and_unit(city):
    _importer, plan = check(city.users.hq, workbook_of(("Sheet1", three_levels())))
    columns = {c["header"]: c for c in plan.sheets[0].columns}
    assert columns["序号"]["note"] == "derived"
    assert columns["建设\n起止年限"]["field"] == "period"
    assert columns["总投资"] | {} == columns["总投资"] and columns["总投资"]["unit"] == "亿元"
    assert columns["2026年\n计划投资"]["field"] == "annual_planned"
    assert columns["2026年\n计划投资"]["year"] == 2026
    assert columns["项目业主"]["field"] == "owner"
    assert columns["项目类型"]["field"] == "category"


def test_a_subtotal_that_does_not_add_up_is_a_warning_with_both_figures(city):
    rows = three_levels()
    rows[6][4] = 99  # （一）交通 states 99 亿元; its projects add up to 6
    rows[4][4] = "#REF!"  # the 合计 lost its formula
    _importer, plan = check(city.users.hq, workbook_of(("Sheet1", rows)))
    assert plan.ok
    warnings = {(w.row, w.column): w.message for w in plan.warnings}
    assert len(warnings) == 2
    assert "990,000.00" in warnings[(7, "总投资")] and "60,000.00" in warnings[(7, "总投资")]
    assert "#REF!" in warnings[(5, "总投资")] and "95,000.00" in warnings[(5, "总投资")]
    assert plan.counts["created"] == 5


def test_a_merged_category_cell_and_two_row_headers_with_merged_parents(city):
    rows = [
        ["2024年重点项目推进表"],
        ["序号", "项目名称", "项目单位", "总投资（万元）", "2024年计划投资", None, "项目资金来源",
         None, None, "建设地点"],
        [None, None, None, None, "计划总投资", "1-6月", "中央资金", "省资金", "市县资金", None],
        ["一、续建项目"],
        [1, "城北污水处理厂", "市投资集团", 5200.5, 1200, 600, 100, 200, 900, "解放区焦南街道"],
        ["二、新开工项目"],
        [1, "高新区人才公寓", "高新建投", "1,234.5万元", "300", 100, "", "", "", "高新区"],
    ]  # fmt: skip
    data = workbook_of(
        ("2024年", rows),
        merges=[(0, "E2:F2"), (0, "G2:I2"), (0, "A4:J4"), (0, "A6:J6"), (0, "B2:B3")],
    )
    (sheet,) = read(SimpleUploadedFile("list.xlsx", data)).sheets
    assert sheet.header_row == 3
    assert sheet.used["annual_planned"] == 4
    assert sheet.headers[4].year == 2024
    assert sheet.headers[5] is None  # 1-6月: a part of the year, not the year's plan
    assert all(header is None for header in sheet.headers[6:9])  # the sources of funds
    plan = imported(city.users.hq, data)
    assert plan.counts["created"] == 2 and plan.year == 2024
    sewage = Project.objects.get(name="城北污水处理厂")
    assert sewage.stage == Stage.CONTINUING  # from 一、续建项目
    assert sewage.total_investment == Decimal("5200.50")
    # 建设地点 names a street of 解放区: the street is the region, the place the address.
    assert sewage.region == city.street
    assert sewage.address == "解放区焦南街道"
    flats = Project.objects.get(name="高新区人才公寓")
    assert flats.stage == Stage.NEW
    assert flats.total_investment == Decimal("1234.50")
    assert AnnualPlan.objects.get(project=flats, year=2024).planned_investment == Decimal("300")


def test_placeholders_are_blank_and_several_units_in_a_cell_are_several(city):
    rows = [
        ["项目名称", "所在县区", "项目业主", "责任单位", "总投资", "建设起止年限", "分包领导"],
        ["港口航道整治", "高新区", "待定", "交通运输局、自然资源和规划局\n市投资集团", "—", "/",
         "暂无"],
        ["市级物流园", "", "市投资集团、高新建投", "全州县政府", "无", "2024.3—2026.12", ""],
    ]  # fmt: skip
    UnitFactory(name="全州县", code="quanzhou", kind=UnitKind.REGION)
    plan = imported(city.users.hq, workbook_of(("项目", rows)))
    assert plan.counts["created"] == 2
    port = Project.objects.get(name="港口航道整治")
    assert port.owner is None and port.total_investment == 0
    assert port.planned_start is None
    assert set(port.responsible_units.values_list("name", flat=True)) == {
        "交通运输局", "自然资源和规划局", "市投资集团",
    }  # fmt: skip
    assert not port.leaders.exists()
    park = Project.objects.get(name="市级物流园")
    assert park.owner == city.touzi
    assert set(park.responsible_units.values_list("name", flat=True)) == {"全州县", "高新建投"}
    assert park.region.name == "全州县"  # 全州县政府 answers for it: its region
    assert (park.planned_start, park.planned_completion) == (date(2024, 3, 1), date(2026, 12, 31))


def test_several_sheets_each_decision_shown(city):
    continuing = [["项目名称", "所在县区", "总投资（亿元）", "年度计划投资（万元）"],
                  ["旧城改造一期", "解放区", 1.25, 3000]]  # fmt: skip
    new = [["项目名称", "所在县区", "总投资（亿元）", "年度计划投资（万元）"],
           ["新城学校", "高新区", 0.8, 2000]]  # fmt: skip
    summary = [["单位", "项目个数", "总投资"], ["解放区", 1, 1.25], ["高新区", 1, 0.8]]
    codes = [["行业代码", "行业名称"], ["01", "工业"]]
    data = workbook_of(
        ("汇总表", summary), ("续建项目", continuing), ("新开工项目", new), ("代码表", codes)
    )
    ledger = read(SimpleUploadedFile("list.xlsx", data))
    assert [sheet.name for sheet in ledger.sheets] == ["续建项目", "新开工项目"]
    assert ledger.skipped == [("汇总表", "summary"), ("代码表", "code list")]
    plan = imported(city.users.hq, data)
    assert plan.skipped_sheets == [("汇总表", "summary"), ("代码表", "code list")]
    assert Project.objects.get(name="旧城改造一期").stage == Stage.CONTINUING
    assert Project.objects.get(name="新城学校").stage == Stage.NEW
    assert Project.objects.get(name="旧城改造一期").total_investment == Decimal("12500.00")


def test_a_project_named_twice_across_sheets_is_one_problem_naming_both(city):
    header = ["项目名称", "所在县区", "总投资"]
    data = workbook_of(
        ("续建项目", [header, ["同名项目", "解放区", 1]]),
        ("新开工项目", [header, ["同名项目", "解放区", 2]]),
    )
    _importer, plan = check(city.users.hq, data)
    (problem,) = plan.problems
    assert problem.sheet == "新开工项目" and problem.row == 2
    assert "续建项目" in problem.message


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("工程名称", "name"), ("项目单位", "owner"), ("项目法人", "owner"),
        ("项目（法人）单位", "owner"), ("实施单位", "owner"), ("建设主体", "owner"),
        ("项目业主", "owner"), ("建设地点", "region"), ("项目地点", "region"),
        ("所在市县", "region"), ("隶属区县", "region"), ("项目总投资", "total_investment"),
        ("总投资额", "total_investment"), ("年度投资", "annual_planned"),
        ("本年度计划投资", "annual_planned"), ("年计划投资", "annual_planned"),
        ("计划完成投资", "annual_planned"), ("年度目标", "targets"),
        ("年度建设目标", "targets"), ("年主要建设任务", "targets"),
        ("工程形象进度", "targets"), ("计划形象进度", "targets"), ("建设年限", "period"),
        ("建设周期", "period"), ("计划工期", "period"), ("计划开工", "planned_start"),
        ("计划竣工", "planned_completion"), ("开工年份", "planned_start"),
        ("竣工年份", "planned_completion"), ("拟开工时间", "planned_start"),
        ("拟建成时间", "planned_completion"), ("建设规模及主要内容", "scope"),
        ("主要建设内容", "scope"), ("项目简介", "scope"), ("主管单位", "lead_unit"),
        ("主管部门", "lead_unit"), ("监管单位", "lead_unit"), ("项目类型", "category"),
        ("产业类别", "category"), ("行业分类", "category"), ("领域", "category"),
        ("建设性质", "stage"), ("项目性质", "stage"), ("挂钩领导", "leaders"),
        ("联系领导", "leaders"), ("经度", "longitude"), ("纬度", "latitude"),
        ("2022年前期工作或工程\n形象进度目标", "targets"), ("2024年计划投资", "annual_planned"),
    ],
)  # fmt: skip
def test_the_many_names_of_one_field(header, key):
    assert cols.match_header(header).key == key


def test_dates_periods_and_amounts_as_offices_write_them(city):
    rows = [
        ["项目名称", "所在县区", "计划开工", "计划竣工", "总投资（亿元）", "年度计划投资（万元）",
         "经度", "纬度", "年度建设目标", "建设性质"],
        ["甲", "解放区", 45366, "2027年6月", "1.5", "2,000", 113.2415, 35.2157, "主体完工", "扩建"],
        ["乙", "解放区", date(2025, 3, 10), 2028, 2, "300万元", "", "", "", "续建"],
    ]  # fmt: skip
    plan = imported(city.users.hq, workbook_of(("项目", rows)))
    first = Project.objects.get(name="甲")
    assert (first.planned_start, first.planned_completion) == (date(2024, 3, 15), date(2027, 6, 30))
    assert first.total_investment == Decimal("15000.00")  # 亿元 in this column ...
    plan_2026 = AnnualPlan.objects.get(project=first, year=2026)
    assert plan_2026.planned_investment == Decimal("2000.00")  # ... 万元 in that one
    assert plan_2026.targets == "主体完工"
    assert (first.longitude, first.latitude) == (Decimal("113.241500"), Decimal("35.215700"))
    # 扩建 says how it is built, not its stage: a warning, and the stage as it was.
    assert any("扩建" in w.message for w in plan.warnings)
    second = Project.objects.get(name="乙")
    assert (second.planned_start, second.planned_completion) == (
        date(2025, 3, 10),
        date(2028, 12, 31),
    )
    assert second.stage == Stage.CONTINUING
    assert AnnualPlan.objects.get(project=second, year=2026).planned_investment == Decimal("300")
    assert cols.period("09.3-11.12").start == date(2009, 3, 1)
    assert cols.period("2023年3月至2025年12月").end == date(2025, 12, 31)
    assert cols.period("2023.3—2025.12").start == date(2023, 3, 1)


def test_a_real_shaped_list_of_240_rows_imports_exactly_its_projects(city):
    """240 rows under a 合计: three levels of categories (6 × 3 × 2 sections) and 180
    projects in 亿元 with 序号 that restart in every section: only the projects, and their
    sum."""
    rows = [*NOTES, HEADER, ["", "合计", "", "", None, None]]
    expected, count = Decimal(0), 0
    names = "一二三四五六"
    kinds = ["交通", "水利", "能源"]
    for top in range(6):
        rows.append([f"{names[top]}、第{top + 1}组（30个）", None, None, None, 1, 1])
        for middle in range(3):
            rows.append(["", f"（{names[middle]}）{kinds[middle]}（10个）", "", "", 1, 1])
            for low in range(2):
                rows.append(["", f"——第{low + 1}小类（5个）"])
                for number in range(1, 6):
                    count += 1
                    total = Decimal(count) / 100 + 1
                    expected += total
                    rows.append(project(number, f"项目{count:03d}", float(total), 0.1))
    rows[4][4] = float(expected)
    assert len(rows) - 5 == 240 and count == 180
    plan = imported(city.users.hq, workbook_of(("Sheet1", rows)))
    assert plan.counts["created"] == 180
    created = Project.objects.filter(name__startswith="项目")
    assert created.count() == 180
    assert sum(p.total_investment for p in created) == expected * 10000
    # The 合计 agrees; the subtotals written as 1 亿元 do not: a warning each, never a project.
    assert 5 not in {w.row for w in plan.warnings}
    # 总投资 of every group and kind, 计划投资 of every group (a kind's ten 0.1 亿元 make 1).
    assert len(plan.warnings) == 6 * 2 + 6 * 3
    assert plan.sheets[0].imported["total_investment"] == expected * 10000
    assert set(created.values_list("category", flat=True)) == {
        Category.TRANSPORT, Category.WATER, Category.ENERGY,
    }  # fmt: skip


def test_subtotals_named_after_a_region_are_totals_not_projects(city):
    rows = [
        ["序号", "项目名称", "所在县区", "总投资（万元）"],
        ["一", "交通项目", None, 300],  # the category's number in the 序号 column
        [1, "北环路", "解放区", 100],
        [2, "南环路", "解放区", 200],
        [None, "解放区小计", None, 300],
        [None, "高新区合计（2个）", None, 300],
        [None, "全市总计", None, 300],
    ]
    plan = imported(city.users.hq, workbook_of(("项目", rows)))
    assert plan.counts["created"] == 2
    assert not Project.objects.filter(name__in=["交通项目", "解放区小计", "全市总计"]).exists()
    assert plan.sheets[0].imported["total_investment"] == Decimal("300.00")
    assert [s.label for s in plan.sheets[0].sections] == ["交通项目"]


def test_a_row_of_units_under_the_header_sets_each_columns_unit(city):
    rows = [
        ["项目名称", "所在县区", "总投资", "2026年计划投资"],
        [None, None, "亿元", "万元"],
        ["北环路", "解放区", 1.5, 3000],
    ]
    plan = imported(city.users.hq, workbook_of(("项目", rows)))
    project = Project.objects.get(name="北环路")
    assert project.total_investment == Decimal("15000.00")
    assert AnnualPlan.objects.get(project=project, year=2026).planned_investment == 3000
    assert plan.sheets[0].sections == [] and plan.warnings == []


def test_total_investment_over_its_parts_reads_the_whole(city):
    rows = [
        ["项目名称", "所在县区", "总投资（万元）", None],
        [None, None, "合计", "其中：中央资金"],
        ["北环路", "解放区", 5000, 2000],
    ]
    imported(city.users.hq, workbook_of(("项目", rows), merges=[(0, "C1:D1")]))
    assert Project.objects.get(name="北环路").total_investment == Decimal("5000.00")


def test_names_that_look_like_categories_stay_projects_where_nothing_says_otherwise(city):
    rows = [
        ["项目名称", "总投资（万元）", "年度计划投资（万元）"],
        ["1.城北污水处理厂", 100, 50],
        ["2、城南学校", 200, 80],
        ["新建5G基站200个", 300, 100],
    ]
    plan = imported(city.users.hq, workbook_of(("项目", rows)))
    assert plan.counts["created"] == 3


def test_dates_typed_as_numbers_keep_their_month(city):
    rows = [["项目名称", "所在县区", "计划开工", "计划竣工"], ["北环路", "解放区", 2024.3, 2026.11]]
    imported(city.users.hq, workbook_of(("项目", rows)))
    project = Project.objects.get(name="北环路")
    assert (project.planned_start, project.planned_completion) == (
        date(2024, 3, 1),
        date(2026, 11, 30),
    )


def test_a_sheets_name_gives_new_projects_their_stage_not_existing_ones(city):
    Project.objects.filter(pk=city.projects.jiefang.pk).update(stage=Stage.COMPLETED)
    rows = [["项目名称", "所在县区", "总投资（万元）"], ["解放区项目", "解放区", 100],
            ["新路", "解放区", 50]]  # fmt: skip
    imported(city.users.hq, workbook_of(("续建项目", rows)))
    assert Project.objects.get(name="解放区项目").stage == Stage.COMPLETED
    assert Project.objects.get(name="新路").stage == Stage.CONTINUING


def test_a_numbered_category_and_a_part_of_a_total_are_not_projects(city):
    """In a sheet with columns of a project's own (region, owner), a 1.-numbered row that fills
    none of them is a category, and 其中： is a part of a total."""
    rows = [
        ["序号", "项目名称", "所在县区", "总投资（万元）", "建设单位"],
        ["", "合计", "", 300, ""],
        ["", "其中：新开工", "", 100, ""],
        ["", "1.城市道路", "", 300, ""],
        [1, "北环路", "解放区", 100, "市投资集团"],
        [2, "南环路", "解放区", 200, "市投资集团"],
    ]
    plan = imported(city.users.hq, workbook_of(("项目", rows)))
    assert plan.counts["created"] == 2
    assert not Project.objects.filter(name__in=["其中：新开工", "1.城市道路", "城市道路"]).exists()
    (report,) = plan.sheets
    assert report.totals == [2, 3]
    assert [(s.depth, s.label) for s in report.sections] == [(4, "城市道路")]
    assert report.imported["total_investment"] == Decimal("300.00") and plan.warnings == []
    # 城市道路 names no category Diaodu knows: its projects keep it as a tag.
    assert Project.objects.get(name="北环路").tags == ["城市道路"]


def test_a_sheets_name_gives_its_projects_their_category(city):
    rows = [["项目名称", "所在县区", "总投资（万元）"], ["北环路", "解放区", 100]]
    imported(city.users.hq, workbook_of(("交通项目", rows)))
    assert Project.objects.get(name="北环路").category == Category.TRANSPORT


def test_units_separated_by_full_width_commas_semicolons_and_slashes_are_several(city):
    rows = [
        ["项目名称", "所在县区", "责任单位"],
        ["北环路", "解放区", "交通运输局，自然资源和规划局"],
        ["南环路", "解放区", "交通运输局；市投资集团"],
        ["西环路", "解放区", "高新建投/交通运输局"],
    ]
    imported(city.users.hq, workbook_of(("项目", rows)))
    units = {
        project.name: set(project.responsible_units.values_list("name", flat=True))
        for project in Project.objects.filter(name__endswith="环路")
    }
    assert units == {
        "北环路": {"交通运输局", "自然资源和规划局"},
        "南环路": {"交通运输局", "市投资集团"},
        "西环路": {"高新建投", "交通运输局"},
    }


def test_a_district_peoples_government_gives_the_region(city):
    xiufeng = UnitFactory(name="秀峰区", code="xiufeng", kind=UnitKind.REGION)
    rows = [
        ["项目名称", "责任单位", "总投资（万元）"],
        ["秀峰公园", "秀峰区人民政府", 100],
        ["漓江步道", "桂林市秀峰区人民政府、交通运输局", 200],
    ]
    imported(city.users.hq, workbook_of(("项目", rows)))
    assert Project.objects.get(name="秀峰公园").region == xiufeng
    trail = Project.objects.get(name="漓江步道")
    assert trail.region == xiufeng
    assert set(trail.responsible_units.values_list("name", flat=True)) == {"秀峰区", "交通运输局"}


def test_periods_written_short_and_in_words_through_an_import(city):
    rows = [
        ["项目名称", "所在县区", "建设起止年限"],
        ["老城管网", "解放区", "09.3-11.12"],
        ["新城学校", "解放区", "2023年3月至2025年12月"],
    ]
    imported(city.users.hq, workbook_of(("项目", rows)))
    dates = dict(
        (name, (start, end))
        for name, start, end in Project.objects.filter(
            name__in=["老城管网", "新城学校"]
        ).values_list("name", "planned_start", "planned_completion")
    )
    assert dates == {
        "老城管网": (date(2009, 3, 1), date(2011, 12, 31)),
        "新城学校": (date(2023, 3, 1), date(2025, 12, 31)),
    }
