"""The category rows of a ledger give their projects a category or tags: a name Diaodu knows
(交通, 铁路) sets the category, any other (数字经济) becomes a tag, so that nothing a list says of
its projects is lost. The dry run says what each category row gives."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from diaodu.conftest import login
from diaodu.exchange.jobs import understood
from diaodu.exchange.models import ImportJob, ImportStatus
from diaodu.exchange.tests.test_real_shapes import check, imported, workbook_of
from diaodu.projects.choices import Category
from diaodu.projects.models import Project

pytestmark = pytest.mark.today("2026-11-20")

HEADER = ["序号", "项目名称", "所在县区", "总投资（亿元）", "2026年计划投资（万元）", "责任单位"]


def digital_economy(total=Decimal("5")):
    """Three levels under 一、数字经济: （一）交通 (known) over ——铁路 (known) and ——智慧停车
    (not), and （二）数据中心 (not); a 合计 of `total` 亿元."""
    return [
        ["2026年重大项目表"],
        HEADER,
        ["", "合计（3个）", "", float(total), 3000],
        ["一、数字经济（3个）", None, None, 5, 3000],
        ["", "（一）交通（2个）", "", 3, 2000],
        ["", "——铁路（1个）", "", 1, 1000],
        [1, "智慧铁路调度平台", "解放区", 1, 1000, "交通运输局"],
        ["", "——智慧停车（1个）", "", 2, 1000],
        [1, "城区智慧停车系统", "解放区", 2, 1000, "交通运输局"],
        ["", "（二）数据中心（1个）", "", 2, 1000],
        ["1", "城市大数据中心", "高新区", 2, 1000, "自然资源和规划局"],
    ]


def facts(*names):
    return {
        name: (category, tags)
        for name, category, tags in Project.objects.filter(name__in=names).values_list(
            "name", "category", "tags"
        )
    }


NAMES = ("智慧铁路调度平台", "城区智慧停车系统", "城市大数据中心")


def test_known_categories_set_the_category_and_the_others_become_tags(city):
    plan = imported(city.users.hq, workbook_of(("项目", digital_economy())))
    assert plan.counts["created"] == 3
    assert facts(*NAMES) == {
        # 铁路, inside 交通: transport; 数字经济 above them names no category: a tag.
        "智慧铁路调度平台": (Category.TRANSPORT, ["数字经济"]),
        # 交通 is the innermost known one; 智慧停车 is kept as a tag.
        "城区智慧停车系统": (Category.TRANSPORT, ["数字经济", "智慧停车"]),
        # Nothing known above it: the default category, and every name as a tag.
        "城市大数据中心": (Category.INDUSTRY, ["数字经济", "数据中心"]),
    }
    (report,) = plan.sheets
    assert [(s.label, s.tag) for s in report.sections] == [
        ("数字经济", "数字经济"), ("交通", ""), ("铁路", ""), ("智慧停车", "智慧停车"),
        ("数据中心", "数据中心"),
    ]  # fmt: skip


def test_a_reimport_merges_tags_without_repeating_or_erasing_them(city):
    data = workbook_of(("项目", digital_economy()))
    imported(city.users.hq, data)
    Project.objects.filter(name="城市大数据中心").update(tags=["新基建", "数字经济"])
    plan = imported(city.users.hq, data)
    # The tags the file gives are there already or added after those the project has.
    assert plan.counts == {
        "created": 0, "updated": 1, "unchanged": 2, "skipped": 6, "problems": 0,
    }  # fmt: skip
    assert facts("城市大数据中心")["城市大数据中心"][1] == ["新基建", "数字经济", "数据中心"]
    # A file without categories takes nothing away.
    rows = [["项目名称", "所在县区", "总投资（万元）"], ["智慧铁路调度平台", "解放区", 10000]]
    plan = imported(city.users.hq, workbook_of(("项目", rows)))
    assert plan.counts["unchanged"] == 1
    assert facts("智慧铁路调度平台")["智慧铁路调度平台"] == (Category.TRANSPORT, ["数字经济"])


def test_an_existing_projects_category_stays_and_the_tags_are_recorded(city):
    Project.objects.filter(name="解放区项目").update(category=Category.WATER)
    rows = [HEADER, ["一、数字经济"], ["（一）交通"], [1, "解放区项目", "解放区", 1, 100]]
    importer, plan = check(city.users.hq, workbook_of(("项目", rows)))
    (row,) = plan.rows
    assert row.action == "update" and row.changes["tags"] == [[], ["数字经济"]]
    importer.apply(plan)
    assert facts("解放区项目")["解放区项目"] == (Category.WATER, ["数字经济"])


def test_more_tags_than_a_project_may_have_are_a_warning(city):
    Project.objects.filter(name="解放区项目").update(tags=[f"标签{n}" for n in range(9)])
    rows = [HEADER, ["一、数字经济"], ["（一）智慧城市"], [1, "解放区项目", "解放区", 1, 100]]
    plan = imported(city.users.hq, workbook_of(("项目", rows)))
    (warning,) = plan.warnings
    assert "智慧城市" in warning.message and warning.row == 4
    assert Project.objects.get(name="解放区项目").tags[-1] == "数字经济"


def test_a_sheets_name_is_a_tag_where_the_file_has_several_sheets_of_projects(city):
    header = ["项目名称", "所在县区", "总投资（万元）"]
    data = workbook_of(
        ("数字经济", [header, ["算力中心", "高新区", 100]]),
        ("交通项目", [header, ["北环路", "解放区", 200]]),
        ("Sheet3", [header, ["南环路", "解放区", 300]]),
    )
    plan = imported(city.users.hq, data)
    assert facts("算力中心", "北环路", "南环路") == {
        "算力中心": (Category.INDUSTRY, ["数字经济"]),
        "北环路": (Category.TRANSPORT, []),  # the sheet's name gives the category
        "南环路": (Category.INDUSTRY, []),  # Sheet3 says nothing of its projects
    }
    assert [understood(s)["gives"] for s in plan.sheets] == ["标签：数字经济", "项目类别：交通", ""]


def test_the_only_sheets_name_is_not_a_tag(city):
    rows = [["项目名称", "所在县区", "总投资（万元）"], ["算力中心", "高新区", 100]]
    imported(city.users.hq, workbook_of(("2026年重大项目", rows)))
    assert Project.objects.get(name="算力中心").tags == []


def test_the_dry_run_page_shows_what_each_category_row_gives(city):
    summary = [["单位", "项目个数", "总投资"], ["解放区", 2, 3], ["高新区", 1, 2]]
    data = workbook_of(("汇总表", summary), ("项目", digital_economy()))
    client = login(city.users.hq)
    upload = SimpleUploadedFile("重大项目.xlsx", data)
    response = client.post(reverse("exchange:import"), {"file": upload, "year": 2026})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.READY
    assert not Project.objects.filter(name__in=NAMES).exists()  # nothing written yet
    page = client.get(response.url).content.decode()
    understood = page[page.index('id="understood"') :]
    # The summary sheet, passed over with its reason.
    assert "工作表“汇总表”未导入：按单位、行业或县区的汇总表，不是项目清单。" in understood
    # Each category row and what it gives its projects.
    for row, label, gives, count in [
        (4, "数字经济", "标签：数字经济", 3),
        (5, "交通", "项目类别：交通", 2),
        (6, "铁路", "项目类别：交通", 1),
        (8, "智慧停车", "标签：智慧停车", 1),
        (10, "数据中心", "标签：数据中心", 1),
    ]:
        assert f"第 {row} 行: {label} → {gives} (共 {count} 个项目)" in understood
    # The unit each amount column is read in.
    rows = {
        re.search(r"<td>(.*?)</td>", row, re.S).group(1): re.findall(r"<td>(.*?)</td>", row)[-1]
        for row in understood.split("</tr>")
        if "<td>" in row
    }
    assert rows["总投资（亿元）"] == "亿元"
    assert rows["2026年计划投资（万元）"] == "万元"
    assert rows["所在县区"] == ""
    # The total imported against the file's own 合计 (row 3): 5 亿元, in 万元.
    assert (
        "已导入 <strong>50000.00</strong> 万元 · 文件中的合计（第 3 行） <strong>50000.00</strong> "
        '<span class="badge bg-green-lt">一致</span>'
    ) in understood


def test_the_dry_run_page_says_when_the_total_differs(city):
    data = workbook_of(("项目", digital_economy(total=Decimal("6"))))
    client = login(city.users.hq)
    response = client.post(
        reverse("exchange:import"),
        {"file": SimpleUploadedFile("重大项目.xlsx", data), "year": 2026},
    )
    page = client.get(response.url).content.decode()
    assert '<strong>60000.00</strong> <span class="badge bg-yellow-lt">不一致</span>' in page
