"""Indicators per unit, worked out by hand from the `ranked` city (conftest.py)."""

from datetime import date
from decimal import Decimal

import pytest

from diaodu.assessment import indicators
from diaodu.assessment.choices import Group
from diaodu.assessment.periods import Window

from .conftest import TODAY

pytestmark = pytest.mark.today(TODAY)  # the ranked city is as it stood on 15 April 2026
MARCH = Window.parse("2026-03")


def test_regions_in_march(ranked, django_assert_max_num_queries):
    city = ranked.city
    with django_assert_max_num_queries(15):
        values = indicators.compute(MARCH, Group.REGION, ranked.today)
    # The street counts for its district; the city-level project for no region.
    assert set(values) == {city.jiefang.pk, city.gaoxin.pk}
    jiefang, gaoxin = values[city.jiefang.pk], values[city.gaoxin.pk]
    # 解放区: planned 1200 + 1200; approved 100+100+150 and 50 (the late March report is not
    # approved); 序时: 3 months of 100, and 1200 × 3/12 pro-rated.
    assert jiefang["investment_rate"] == Decimal("16.7")  # 400 / 2400
    assert jiefang["schedule_rate"] == Decimal("66.7")  # 400 / 600
    assert jiefang["start_rate"] == Decimal("100.0")
    assert jiefang["milestone_rate"] == Decimal("50.0")
    assert (jiefang["problems_on_time"], jiefang["problems_late"], jiefang["problems_overdue"]) == (
        1,
        0,
        1,
    )
    assert jiefang["closure_rate"] == Decimal("50.0")
    assert (jiefang["reports_on_time"], jiefang["reports_late"], jiefang["reports_missing"]) == (
        1,
        1,
        0,
    )
    assert jiefang["reporting_rate"] == Decimal("50.0")
    assert jiefang["inspections"] == 0
    # 高新区: a new project planned to start in February and not started; its March report
    # missing; its task done late; an inspection rated poor that saw less than reported.
    assert gaoxin["investment_rate"] == Decimal("5.0")  # 60 / 1200
    assert gaoxin["start_rate"] == Decimal("0.0")
    assert gaoxin["milestone_rate"] is None
    assert (gaoxin["tasks_on_time"], gaoxin["tasks_late"], gaoxin["tasks_overdue"]) == (0, 1, 0)
    assert gaoxin["closure_rate"] == Decimal("0.0")
    assert gaoxin["reports_missing"] == 1 and gaoxin["reporting_rate"] == Decimal("0.0")
    assert (gaoxin["inspections"], gaoxin["inspection_findings"]) == (1, 1)


def test_departments_are_measured_on_the_projects_they_lead(ranked):
    city = ranked.city
    values = indicators.compute(MARCH, Group.DEPARTMENT, ranked.today)
    assert set(values) == {city.jiaotong.pk, city.ziran.pk}
    assert values[city.jiaotong.pk]["reporting_rate"] == Decimal("100.0")
    ziran = values[city.ziran.pk]
    # street late, gaoxin missing, city on time
    assert (ziran["reports_on_time"], ziran["reports_late"], ziran["reports_missing"]) == (1, 1, 1)


def test_a_period_is_read_as_it_stood_at_its_end(ranked):
    city = ranked.city
    february = indicators.compute(Window.parse("2026-02"), Group.REGION, ranked.today)
    # In February the problems were not yet due and the March report not yet filed.
    jiefang = february[city.jiefang.pk]
    assert jiefang["problems_overdue"] == 0 and jiefang["closure_rate"] is None
    assert jiefang["investment_rate"] == Decimal("10.4")  # (100 + 100 + 50) / 2400
    # The quarter adds the months up.
    quarter = indicators.compute(Window.parse("2026Q1"), Group.REGION, ranked.today)
    assert quarter[city.jiefang.pk]["reports_on_time"] == 4  # jiefang Jan-Mar, street Jan
    assert quarter[city.jiefang.pk]["reports_missing"] == 1  # street in February


def test_the_period_under_way_is_read_up_to_today(ranked):
    city = ranked.city
    values = indicators.compute(Window.parse("2026-03"), Group.REGION, date(2026, 3, 15))
    # On 15 March the March reports are not yet due; the overdue problem is.
    assert values[city.jiefang.pk]["reports_on_time"] == 0
    assert values[city.jiefang.pk]["problems_overdue"] == 1


@pytest.mark.parametrize(
    ("text", "code", "start", "end"),
    [
        ("2024-03", "2024-03", date(2024, 3, 1), date(2024, 3, 31)),
        ("2024q1", "2024Q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("2024", "2024", date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_periods(text, code, start, end):
    window = Window.parse(text)
    assert (window.code, window.start, window.end) == (code, start, end)


def test_previous_periods_and_bad_ones():
    assert Window.parse("2024-01").previous().code == "2023-12"
    assert Window.parse("2024Q1").previous().code == "2023Q4"
    assert Window.parse("2024Q4").next().code == "2025Q1"
    for bad in ("2024-13", "2024Q5", "March", ""):
        with pytest.raises(ValueError, match="2024Q1"):
            Window.parse(bad)
