"""The ledger's totals are over the whole filtered set; the export has the same rows and totals."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from diaodu.conftest import login
from diaodu.factories import AnnualPlanFactory, ProjectFactory
from diaodu.projects.models import Project
from diaodu.reporting.models import InvestmentSummary


@pytest.fixture
def many(city, settings):
    settings.DIAODU_PAGE_SIZE = 3  # totals must cover more than the page
    for i in range(8):
        project = ProjectFactory(
            name=f'=HYPERLINK("x")项目{i}',
            region=city.jiefang if i % 2 else city.gaoxin,
            total_investment=Decimal(1000 + i),
            stage="new" if i % 3 else "continuing",
        )
        project.programs.set([city.program])
        AnnualPlanFactory(project=project, year=2026, planned_investment=Decimal(100 + i))
        InvestmentSummary.objects.create(project=project, year=2026, invested=Decimal(10 * i))
    return city


@pytest.mark.parametrize(
    "params", [{}, {"region": "jiefang"}, {"stage": "new"}, {"q": "项目"}, {"sort": "-rate"}]
)
def test_totals_equal_the_sum_over_the_filtered_set(many, params):
    if "region" in params:
        params = {"region": getattr(many, params["region"]).pk}
    response = login(many.users.hq).get(reverse("projects:list"), {"year": 2026, **params})
    totals = response.context["totals"]
    projects = list(response.context["ledger"])
    assert totals.count == len(projects) == response.context["page"].paginator.count
    assert totals.total_investment == sum(p.total_investment for p in projects)
    assert totals.annual_planned == sum(p.annual_planned or 0 for p in projects)
    assert totals.year_invested == sum(p.year_invested for p in projects)


def test_sorting_by_a_column(many):
    response = login(many.users.hq).get(reverse("projects:list"), {"sort": "-total_investment"})
    values = [p.total_investment for p in response.context["ledger"]]
    assert values == sorted(values, reverse=True)


def test_export_has_the_rows_and_totals_of_the_screen(many):
    client = login(many.users.hq)
    params = {"region": many.jiefang.pk, "year": 2026}
    screen = client.get(reverse("projects:list"), params)
    export = client.get(reverse("projects:export"), params)
    sheet = load_workbook(io.BytesIO(export.content)).active
    names = [sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row)]  # after 序号
    expected = [p.name for p in screen.context["ledger"]]
    assert [n[1:] if n.startswith("'") else n for n in names] == expected
    # No cell can start a formula.
    assert all(not str(n).startswith("=") for n in names)
    last = sheet.max_row
    totals = screen.context["totals"]
    headers = [cell.value for cell in sheet[2]]
    total = headers.index("总投资（万元）") + 1
    invested = headers.index("年度累计完成（万元）") + 1
    assert Decimal(str(sheet.cell(row=last, column=total).value)) == totals.total_investment
    assert Decimal(str(sheet.cell(row=last, column=invested).value)) == totals.year_invested


def test_export_is_scoped(many):
    export = login(many.users.gaoxin).get(reverse("projects:export"))
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row - 3 == Project.objects.filter(region=many.gaoxin).count()
    assert login(many.users.gaoxin).get(reverse("projects:export")).status_code == 200


def test_export_redirects_anonymous(client, many):
    assert client.get(reverse("projects:export")).status_code == 302


def test_light_filter(many):
    Project.objects.filter(name__endswith="项目1").update(light="red")
    response = login(many.users.hq).get(reverse("projects:list"), {"light": "red"})
    assert [p.name for p in response.context["ledger"]] == ['=HYPERLINK("x")项目1']


def test_export_is_a_valid_workbook_with_styles(many):
    """The streamed workbook: merged title, frozen bold header, widths, money format."""
    export = login(many.users.hq).get(reverse("projects:export"), {"year": 2026})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.freeze_panes == "A3"
    assert [str(r) for r in sheet.merged_cells.ranges] == [f"A1:{sheet.cell(2, 18).column_letter}1"]
    assert sheet.cell(row=2, column=1).value == "序号" and sheet.column_dimensions["A"].width == 6
    assert sheet.cell(row=2, column=2).font.b and sheet.column_dimensions["B"].width == 40
    headers = [cell.value for cell in sheet[2]]
    money = headers.index("总投资（万元）") + 1
    assert sheet.cell(row=3, column=money).number_format == "#,##0.00"
    assert sheet.cell(row=sheet.max_row, column=money).font.b


@pytest.mark.parametrize("params", [{}, {"stage": "new"}, {"program": "city"}])
def test_pages_walk_the_default_order_exactly(city, settings, params):
    """Page by page, region by region (two regions share a sort order), city level last."""
    from diaodu.factories import ProjectFactory

    settings.DIAODU_PAGE_SIZE = 7
    city.jiefang.sort_order = city.gaoxin.sort_order = 5
    city.jiefang.save()
    city.gaoxin.save()
    city.street.sort_order = 1
    city.street.save()
    for index in range(30):
        region = [city.jiefang, city.gaoxin, city.street, None][index % 4]
        project = ProjectFactory(
            name=f"项目{(index * 7) % 30:02d}",
            region=region,
            stage=["new", "continuing"][index % 2],
        )
        if index % 3:
            project.programs.add(city.program)
    if "program" in params:
        params = {"program": city.program.pk}
    client = login(city.users.hq)
    first = client.get(reverse("projects:list"), params)
    expected = [p.pk for p in first.context["ledger"]]
    seen = []
    for number in range(1, first.context["page"].paginator.num_pages + 1):
        page = client.get(reverse("projects:list"), {**params, "page": number}).context["page"]
        seen += [p.pk for p in page]
    assert seen == expected and len(expected) == first.context["page"].paginator.count


def test_export_in_yi_says_so_and_imports_back_unchanged(many):
    """`unit=yi`: 亿元 in the title and the money headers, the 万元 figures divided by 10,000
    (exact to the 万元), and the file still imports without changing a thing."""
    from diaodu.core.models import ChangeRecord
    from diaodu.exchange.importer import ProjectImport
    from diaodu.exchange.reader import read

    client = login(many.users.hq)
    wan = load_workbook(io.BytesIO(client.get(reverse("projects:export"), {"year": 2026}).content))
    response = client.get(reverse("projects:export"), {"year": 2026, "unit": "yi"})
    assert "ledger-2026-yi.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "亿元" in sheet["A1"].value
    headers = [cell.value for cell in sheet[2]]
    assert {"总投资（亿元）", "2026年度计划投资（亿元）", "年度累计完成（亿元）"} <= set(headers)
    assert not any("万元" in str(header) for header in headers)
    letter = sheet.cell(2, headers.index("总投资（亿元）") + 1).column_letter
    in_wan = [cell.value for cell in wan.active[letter]][2:]  # the rows and the totals
    in_yi = [cell.value for cell in sheet[letter]][2:]
    assert wan.active[f"{letter}2"].value == "总投资（万元）"
    assert in_yi == pytest.approx([value / 10_000 for value in in_wan])
    assert sheet[f"{letter}3"].number_format == "#,##0.0000"

    records = ChangeRecord.objects.count()
    importer = ProjectImport(many.users.hq, year=2026)
    plan = importer.check(read(io.BytesIO(response.content), "ledger.xlsx"))
    assert plan.ok, plan.problems[:5]
    assert plan.counts["unchanged"] == Project.objects.count() and plan.counts["created"] == 0
    importer.apply(plan)
    assert ChangeRecord.objects.count() == records


def test_export_is_print_ready_with_rates_as_percent(many, settings):
    settings.DIAODU_PAGE_SIZE = 50
    client = login(many.users.hq)
    screen = client.get(reverse("projects:list"), {"year": 2026}).context["ledger"]
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("projects:export"), {"year": 2026}).content)
    ).active
    headers = [cell.value for cell in sheet[2]]
    assert headers[0] == "序号"
    count = Project.objects.count()
    assert [sheet.cell(r, 1).value for r in range(3, sheet.max_row)] == list(range(1, count + 1))
    assert sheet.cell(sheet.max_row, 1).value is None  # the totals row has no number
    assert sheet.auto_filter.ref == f"A2:{sheet.cell(2, 18).column_letter}{sheet.max_row - 1}"
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    rate = headers.index("完成率") + 1
    rates = {sheet.cell(r, 2).value.lstrip("'"): sheet.cell(r, rate) for r in range(3, count + 3)}
    on_screen = next(p for p in screen if p.name.endswith("项目7")).rate  # 70 of 107
    assert on_screen > 50
    assert rates['=HYPERLINK("x")项目7'].value == pytest.approx(float(on_screen) / 100, abs=1e-3)
    assert rates['=HYPERLINK("x")项目7'].number_format == "0.0%"  # shown as 65%, not 0.65


def test_the_api_export_is_asked_in_yi_and_refuses_another_unit(many):
    from diaodu.projects.tests.test_api import api

    client = api(many.users.hq)
    response = client.get("/api/projects/export/", {"year": 2026, "unit": "yi"})
    assert response.status_code == 200
    assert "亿元" in load_workbook(io.BytesIO(response.content)).active["A1"].value
    wrong = client.get("/api/projects/export/", {"unit": "qian"})
    assert wrong.status_code == 400 and "unit" in wrong.json()


def test_the_ledger_page_offers_the_export_in_yi_with_its_filters(many):
    html = login(many.users.hq).get(reverse("projects:list"), {"region": many.jiefang.pk}).content
    export = reverse("projects:export")
    assert f'{export}?region={many.jiefang.pk}&amp;unit=yi"' in html.decode()
    assert f'{export}?region={many.jiefang.pk}"' in html.decode()  # and in 万元


def test_the_export_reads_each_chunks_names_with_it(
    many, monkeypatch, django_assert_max_num_queries
):
    """Written chunk by chunk of projects (3 here), each row still has its own programmes,
    units and leaders, and the queries are a few per chunk."""
    from diaodu.monitoring import exports

    monkeypatch.setattr(exports, "CHUNK", 3)
    ordered = list(Project.objects.order_by("pk"))
    for index, project in enumerate(ordered):
        project.responsible_units.set([many.jiaotong] if index % 2 else [many.ziran])
        project.leaders.set([many.leader] if index % 3 == 0 else [])
    client = login(many.users.hq)
    with django_assert_max_num_queries(60):
        export = client.get(reverse("projects:export"), {"year": 2026})
    sheet = load_workbook(io.BytesIO(export.content)).active
    headers = [cell.value for cell in sheet[2]]
    column = {name: headers.index(name) + 1 for name in ("项目名称", "责任单位", "分包领导")}
    rows = {sheet.cell(r, column["项目名称"]).value.lstrip("'"): r for r in range(3, sheet.max_row)}
    assert len(rows) == len(ordered) > 3 * 3
    for index, project in enumerate(ordered):
        row = rows[project.name]
        unit = many.jiaotong if index % 2 else many.ziran
        assert sheet.cell(row, column["责任单位"]).value == unit.name
        leader = sheet.cell(row, column["分包领导"]).value
        assert (leader == str(many.leader)) if index % 3 == 0 else leader is None


def test_with_a_queue_the_screen_reads_the_last_totals_a_while_and_the_export_never(
    many, settings, django_capture_on_commit_callbacks
):
    """Headquarters' whole ledger during the surge: its totals, kept, are read a while after a
    change (the queue computes them again); the export's are the data's as it is."""
    from unittest import mock

    from diaodu.core.tasks import warm_kept

    settings.DIAODU_KEEP_FIGURES = True
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client = login(many.users.hq)
    before = client.get(reverse("projects:list"), {"year": 2026}).context["totals"]
    with mock.patch.object(warm_kept, "apply_async"):
        with django_capture_on_commit_callbacks(execute=True):
            project = Project.objects.first()
            project.total_investment += 500
            project.save()
        screen = client.get(reverse("projects:list"), {"year": 2026}).context["totals"]
        assert screen.total_investment == before.total_investment
        export = client.get(reverse("projects:export"), {"year": 2026})
    sheet = load_workbook(io.BytesIO(export.content)).active
    headers = [cell.value for cell in sheet[2]]
    total = sheet.cell(row=sheet.max_row, column=headers.index("总投资（万元）") + 1).value
    assert Decimal(str(total)) == before.total_investment + 500
