"""The calendar of reporting periods: which period contains a day, and when it is due.

- monthly: a calendar month, due on day DIAODU_MONTHLY_DUE_DAY (25) of that month;
- weekly: Monday to Sunday, due on weekday DIAODU_WEEKLY_DUE_WEEKDAY (4, Friday);
- biweekly: two weeks from the first Monday of the programme's year, due on the Friday of the
  second week.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from diaodu.projects.choices import Cadence


@dataclass(frozen=True)
class PeriodDates:
    start: date
    end: date
    due_date: date


def _first_monday(year: int) -> date:
    first = date(year, 1, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def period_containing(cadence: str, day: date) -> PeriodDates:
    if cadence == Cadence.MONTHLY:
        last = calendar.monthrange(day.year, day.month)[1]
        due_day = min(settings.DIAODU_MONTHLY_DUE_DAY, last)
        return PeriodDates(
            date(day.year, day.month, 1),
            date(day.year, day.month, last),
            date(day.year, day.month, due_day),
        )
    if cadence == Cadence.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return PeriodDates(
            start,
            start + timedelta(days=6),
            start + timedelta(days=settings.DIAODU_WEEKLY_DUE_WEEKDAY),
        )
    if cadence == Cadence.BIWEEKLY:
        anchor = _first_monday(day.year)
        if day < anchor:
            anchor = _first_monday(day.year - 1)
        start = anchor + timedelta(days=(day - anchor).days // 14 * 14)
        return PeriodDates(
            start,
            start + timedelta(days=13),
            start + timedelta(days=7 + settings.DIAODU_WEEKLY_DUE_WEEKDAY),
        )
    raise ValueError(f"unknown cadence {cadence!r}")


def periods_between(cadence: str, first: date, last: date) -> list[PeriodDates]:
    """Every period from the one containing `first` to the one containing `last`."""
    periods, day = [], first
    while day <= last:
        period = period_containing(cadence, day)
        periods.append(period)
        day = period.end + timedelta(days=1)
    return periods
