"""Working days as the State Council's holiday notices set them (the years the package covers)."""

from datetime import date, timedelta

import pytest

from diaodu.core import workdays


def test_national_day_2024_and_its_adjusted_working_days():
    # 2024: Oct 1–7 off; Sunday Sep 29 and Saturday Oct 12 worked instead.
    assert workdays.is_working_day(date(2024, 9, 29))  # a Sunday worked
    assert not workdays.is_working_day(date(2024, 10, 7))  # a Monday off
    assert workdays.is_working_day(date(2024, 10, 12))  # a Saturday worked
    # After Friday Sep 27: Sun 29, Mon 30, then nothing until Tue Oct 8.
    assert workdays.working_days_between(date(2024, 9, 27), date(2024, 10, 8)) == 3
    assert workdays.add_working_days(date(2024, 9, 27), 3) == date(2024, 10, 8)


def test_national_day_2025_runs_to_the_eighth():
    # 2025: Oct 1–8 off (National Day with the Mid-Autumn Festival); Sep 28 and Oct 11 worked.
    assert not workdays.is_working_day(date(2025, 10, 8))
    assert workdays.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    # After Friday Sep 26: Sunday 28, Monday 29, Tuesday 30, then Thursday Oct 9 and Friday 10.
    assert workdays.working_days_between(date(2025, 9, 26), date(2025, 10, 10)) == 5


def test_spring_festival_2025_with_its_working_saturday():
    # 2025: Jan 28 – Feb 4 off; Sunday Jan 26 and Saturday Feb 8 worked.
    assert workdays.is_working_day(date(2025, 2, 8))
    assert not workdays.is_working_day(date(2025, 2, 3))  # a Monday off
    # A 10-working-day limit accepted on Friday Jan 24, 2025: Jan 26, 27, then Feb 5, 6, 7,
    # Saturday Feb 8, Feb 10, 11, 12, 13.
    assert workdays.add_working_days(date(2025, 1, 24), 10) == date(2025, 2, 13)
    assert workdays.working_days_between(date(2025, 1, 24), date(2025, 2, 8)) == 6
    # Plain Monday to Friday would have said Feb 7.
    assert workdays.working_days_between(date(2025, 1, 24), date(2025, 2, 7)) == 5


def test_spring_festival_2024_across_a_weekend_worked():
    # 2024: Feb 10–17 off; Sundays Feb 4 and Feb 18 worked.
    assert workdays.is_working_day(date(2024, 2, 18))
    assert workdays.add_working_days(date(2024, 2, 9), 1) == date(2024, 2, 18)


def test_counting_across_the_new_year():
    start, end = date(2024, 12, 20), date(2025, 1, 10)
    by_hand = sum(
        workdays.is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1)
    )
    assert workdays.working_days_between(start, end) == by_hand
    assert workdays.add_working_days(start, by_hand) == end
    assert workdays.working_days_between(end, start) == -by_hand


def test_the_day_of_acceptance_is_not_counted():
    monday = date(2025, 3, 3)
    assert workdays.working_days_between(monday, monday) == 0
    assert workdays.add_working_days(monday, 0) == monday
    assert workdays.add_working_days(monday, 1) == date(2025, 3, 4)
    assert workdays.latest_working_day(date(2025, 3, 9)) == date(2025, 3, 7)  # Sunday → Friday


def test_a_year_not_in_the_table_is_counted_monday_to_friday():
    year = 2090
    assert not workdays.covers(year) and workdays.covers(2025)
    # January 1st is a holiday in every year the table knows; unknown, it is a Monday worked.
    new_year = date(year, 1, 2)  # a Monday
    assert new_year.weekday() == 0 and workdays.is_working_day(new_year)
    assert workdays.add_working_days(date(year, 1, 6), 5) == date(year, 1, 13)  # Fri → Fri


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        workdays.add_working_days(date(2025, 1, 1), -1)
