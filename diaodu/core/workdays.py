"""Working days (工作日) in mainland China: weekends, public holidays (节假日) and the weekend days
worked in their place (调休), as the State Council's yearly notice sets them.

The holidays come from the `chinesecalendar` package, which tables each year once the State
Council has published it (every autumn, for the next year). A year the package does not cover
(the next year, before the package is upgraded; or a year before 2004) falls back to Monday to
Friday: its holidays then count as working days and its 调休 Saturdays and Sundays as rest days,
so a date counted into such a year is an estimate until the package is upgraded. `covers(year)`
says whether a year is known.

Time limits are counted as Chinese law counts them: the day something starts (受理, acceptance)
is not counted, so `working_days_between(start, end)` is the number of working days after `start`
up to and including `end`, and `add_working_days(start, n)` is the n-th working day after `start`.

Each year is tabulated once (a running count of its working days), so counting between any two
dates costs a few lookups, whatever the distance.
"""

from bisect import bisect_left
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=256)
def covers(year: int) -> bool:
    """Whether the holiday table knows this year (else Monday to Friday is assumed)."""
    try:
        chinese_calendar.is_workday(date(year, 7, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=256)
def _running_count(year: int) -> tuple[int, ...]:
    """The working days of a year up to and including each day (index: day of the year − 1)."""
    known = covers(year)
    counts, running = [], 0
    day = date(year, 1, 1)
    while day.year == year:
        if chinese_calendar.is_workday(day) if known else day.weekday() < 5:
            running += 1
        counts.append(running)
        day += timedelta(days=1)
    return tuple(counts)


def _through(day: date) -> int:
    return _running_count(day.year)[day.timetuple().tm_yday - 1]


def is_working_day(day: date) -> bool:
    index = day.timetuple().tm_yday - 1
    counts = _running_count(day.year)
    return counts[index] > (counts[index - 1] if index else 0)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start`, up to and including `end` (negative when `end` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    count = _through(end) - _through(start)
    for year in range(start.year, end.year):
        count += _running_count(year)[-1]
    return count


def add_working_days(start: date, count: int) -> date:
    """The `count`-th working day after `start` (`start` itself for 0)."""
    if count < 0:
        raise ValueError("count must not be negative")
    if count == 0:
        return start
    year, target = start.year, _through(start) + count
    while True:
        counts = _running_count(year)
        if target <= counts[-1]:
            return date(year, 1, 1) + timedelta(days=bisect_left(counts, target))
        target -= counts[-1]
        year += 1


def latest_working_day(day: date) -> date:
    """`day` if it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day
