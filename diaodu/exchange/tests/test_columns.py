from datetime import date
from decimal import Decimal

import pytest

from diaodu.exchange import columns as cols


@pytest.mark.parametrize(
    ("header", "key", "factor", "year"),
    [
        ("项目名称", "name", 1, None),
        (" 业主单位 ", "owner", 1, None),
        ("建设规模及\n内容", "scope", 1, None),
        ("总投资（亿元）", "total_investment", 10000, None),
        ("总投资(万元)", "total_investment", 1, None),
        ("计划总投资亿元", "total_investment", 10000, None),
        ("2026年计划投资（万元）", "annual_planned", 1, 2026),
        ("2025年度计划投资", "annual_planned", 1, 2025),
        ("年度计划投资", "annual_planned", 1, None),
        ("建设起止年限", "period", 1, None),
        ("所在县区", "region", 1, None),
        ("包抓领导", "leaders", 1, None),
        ("建设性质", "stage", 1, None),
        ("行业", "category", 1, None),
        ("Total investment (10k yuan)", "total_investment", 1, None),
        ("Annual plan 2026 (10k yuan)", "annual_planned", 1, 2026),
        ("完成率", "derived", 1, None),
        ("序号", "derived", 1, None),
    ],
)
def test_headers_are_matched_through_aliases(header, key, factor, year):
    found = cols.match_header(header)
    assert (found.key, found.factor, found.year) == (key, Decimal(factor), year)


def test_unknown_header_is_not_matched():
    assert cols.match_header("备注") is None
    assert cols.match_header(None) is None


@pytest.mark.parametrize(
    ("value", "factor", "expected"),
    [
        (3.5, 10000, "35000.00"),
        ("1,200.5", 1, "1200.50"),
        ("1.2亿元", 1, "12000.00"),
        ("800万元", 10000, "800.00"),
        (0, 1, "0.00"),
    ],
)
def test_money(value, factor, expected):
    assert cols.money(value, Decimal(factor)) == Decimal(expected)


@pytest.mark.parametrize("value", ["abc", "-5", True, "1e400"])
def test_bad_money_is_a_chinese_error(value):
    with pytest.raises(cols.CellError) as error:
        cols.money(value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error.value))


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2023-2025", date(2023, 1, 1), date(2025, 12, 31)),
        ("2023.03-2025.12", date(2023, 3, 1), date(2025, 12, 31)),
        ("2023年3月至2025年6月", date(2023, 3, 1), date(2025, 6, 30)),
        ("2024～2026年", date(2024, 1, 1), date(2026, 12, 31)),
        (2024, date(2024, 1, 1), date(2024, 12, 31)),
        ("2024.02", date(2024, 2, 1), date(2024, 2, 29)),
    ],
)
def test_construction_period(value, start, end):
    found = cols.period(value)
    assert (found.start, found.end) == (start, end)


@pytest.mark.parametrize("value", ["明年", "2025-2023", "2023.13-2024.01", "1800-1801"])
def test_bad_construction_period(value):
    with pytest.raises(cols.CellError):
        cols.period(value)


def test_period_agrees_at_the_precision_given():
    found = cols.period("2023.03-2025.12")
    assert found.agrees_with(date(2023, 3, 15), date(2025, 12, 1))
    assert not found.agrees_with(date(2023, 4, 1), date(2025, 12, 1))
    assert cols.period("2023-2025").agrees_with(date(2023, 7, 1), date(2025, 2, 1))
    assert cols.format_period(date(2023, 3, 15), date(2025, 12, 1)) == "2023.03-2025.12"


def test_stage_and_category_by_any_name():
    assert cols.stage("新建") == "new"
    assert cols.stage("续建") == "continuing"
    assert cols.stage("前期") == "preparation"
    assert cols.stage("Continuing") == "continuing"
    assert cols.category("生态环保") == "ecology"
    assert cols.category("工业") == "industry"
    with pytest.raises(cols.CellError) as error:
        cols.stage("开工中")
    assert "续建" in str(error.value)


def test_names_split_on_every_separator():
    assert cols.names("交通运输局、自然资源局,  住建局；交通运输局") == [
        "交通运输局",
        "自然资源局",
        "住建局",
    ]
