"""Earned value and a forecast finish for every project under construction (docs/forecast.md).

All figures are taken as of a day, `today`, from what was known then: the monthly reports of
periods that ended by that day, and the plans. Their common data date is the last day of the
last month ended by `today` (the month of the latest monthly report that can exist):

- planned value (PV): the annual plans' monthly amounts of the months ended by the data date;
  for the years that no plan breaks down by month, the total investment spread evenly over the
  days of the planned period (planned start to planned completion). It never exceeds the total
  investment, and is all of it once the planned completion is past;
- earned value (EV): the physical progress (the latest approved monthly report's percentage)
  times the total investment;
- actual cost (AC): the investment of every approved monthly report since the start;
- SPI = EV / PV and CPI = EV / AC, to two decimals;
- the forecast finish: the rate of physical progress over the last TREND_REPORTS monthly
  reports of the last TREND_REPORTS + 6 months (a least-squares line through them), carried on
  from the latest reported percentage until it reaches 100%; with fewer than MIN_TREND_REPORTS
  reports, or progress that did not advance over them, the average rate since the actual start.
  A project reported at 100% finished on the last day of the first month that said so.

`forecasts()` reads four queries at most (the projects if a queryset is given, the months of
their plans summed by year, the monthly reports' investment summed, their readings of physical
progress), whatever the number of projects.
"""

import math
from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diaodu.projects.choices import Stage
from diaodu.projects.models import PlanMonth, Project
from diaodu.reporting.totals import counted_reports

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# The monthly reports whose trend gives the rate of progress, and the fewest that make a trend
# (chosen by back-testing: docs/forecast.md).
TREND_REPORTS = 6
MIN_TREND_REPORTS = 3


# The fields of a project the forecast reads.
FIELDS = ["pk", "stage", "actual_start", "planned_start", "planned_completion", "total_investment"]


class Method(models.TextChoices):
    """How a forecast finish was found."""

    TREND = "trend", _("The rate of physical progress over the last monthly reports")
    AVERAGE = "average", _("The average rate of physical progress since the actual start")
    COMPLETE = "complete", _("Reported at 100% physical progress")
    NONE = "none", _("No forecast: no physical progress reported yet")


@dataclass(frozen=True)
class Forecast:
    planned_value: Decimal | None  # 万元, budget planned to be spent by `today`
    earned_value: Decimal | None  # 万元, physical progress × budget (total_investment)
    actual_cost: Decimal | None  # 万元, investment completed since start
    spi: Decimal | None  # EV / PV, 2 decimals
    cpi: Decimal | None  # EV / AC, 2 decimals
    finish: date | None  # forecast completion date
    late_days: int | None  # finish − planned_completion, in days (negative: early)
    method: str  # which method produced `finish`, for the page's tooltip

    @property
    def method_label(self) -> str:
        return str(Method(self.method).label)

    @property
    def is_late(self) -> bool:
        """Forecast to finish more than DIAODU_FORECAST_LATE_DAYS after the planned completion."""
        return self.late_days is not None and self.late_days > settings.DIAODU_FORECAST_LATE_DAYS


@dataclass(frozen=True)
class Trend:
    """A rate of physical progress (percentage points a day) carried on from a reading."""

    method: str
    day: date | None = None  # the latest reading
    percent: Fraction = Fraction(0)
    rate: Fraction = Fraction(0)  # points a day
    finished_on: date | None = None  # reported at 100% on this day

    @property
    def finish(self) -> date | None:
        if self.finished_on is not None:
            return self.finished_on
        if self.day is None or self.rate <= 0:
            return None
        return self.day + timedelta(days=math.ceil((100 - self.percent) / self.rate))

    def percent_at(self, day: date) -> Fraction | None:
        """The physical progress the trend expects on `day` (for back-testing)."""
        if self.finished_on is not None:
            return Fraction(100)
        if self.day is None:
            return None
        return min(Fraction(100), self.percent + self.rate * max(0, (day - self.day).days))


def data_date(today: date) -> date:
    """The last day of the last month ended by `today` (today itself on a month's last day)."""
    if today.day == monthrange(today.year, today.month)[1]:
        return today
    return today.replace(day=1) - timedelta(days=1)


def under_construction(project, today: date) -> bool:
    """New with an actual start by `today`, or continuing."""
    if project.stage == Stage.CONTINUING:
        return True
    return (
        project.stage == Stage.NEW
        and project.actual_start is not None
        and project.actual_start <= today
    )


def planned_value(project, planned: dict[int, Decimal], until: date) -> Decimal | None:
    """The budget planned to be spent by `until` (a month's last day). `planned` holds, for each
    year some plan breaks down by month, the amount of its months ended by `until`; the other
    years of the planned period count the total investment spread evenly over its days. None
    with neither months nor planned dates."""
    budget = project.total_investment
    start, end = project.planned_start, project.planned_completion
    linear = start is not None and end is not None
    if not planned and not linear:
        return None
    if linear and until >= end:
        return budget.quantize(CENT)
    value = sum(planned.values(), Decimal(0))
    if linear:
        daily = budget / ((end - start).days + 1)
        for year in range(start.year, min(end, until).year + 1):
            if year in planned:
                continue
            first, last = max(start, date(year, 1, 1)), min(end, until, date(year, 12, 31))
            if last >= first:
                value += daily * ((last - first).days + 1)
    return min(value, budget).quantize(CENT, ROUND_HALF_UP)


def trend(
    readings: list[tuple[date, Decimal]], actual_start: date | None, last: int = TREND_REPORTS
) -> Trend:
    """The trend of a project's physical progress from its monthly readings (day, percent), in
    the order of their days: the least-squares rate over the `last` readings (none: below
    MIN_TREND_REPORTS), else the average rate since the actual start."""
    if not readings:
        return Trend(Method.NONE)
    for day, percent in readings:
        if percent >= HUNDRED:
            return Trend(Method.COMPLETE, day, Fraction(100), finished_on=day)
    day, percent = readings[-1][0], Fraction(readings[-1][1])
    # Readings of months before the actual start say nothing of the pace of construction.
    building = [r for r in readings if actual_start is None or r[0] >= actual_start]
    recent = building[-last:] if last else []
    if last >= MIN_TREND_REPORTS and len(recent) >= MIN_TREND_REPORTS:
        rate = _slope(recent)
        if rate > 0:
            return Trend(Method.TREND, day, percent, rate)
    if actual_start is not None and percent > 0 and day > actual_start:
        return Trend(Method.AVERAGE, day, percent, percent / (day - actual_start).days)
    return Trend(Method.NONE, day, percent)


def _slope(readings: list[tuple[date, Decimal]]) -> Fraction:
    """The slope of the least-squares line through the readings, in points a day, exactly (in
    whole numbers: days, and tenths of a point, as reports keep them)."""
    n = len(readings)
    xs = [day.toordinal() for day, _p in readings]
    ys = [int(percent * 10) for _d, percent in readings]
    sx, sy = sum(xs), sum(ys)
    spread = n * sum(x * x for x in xs) - sx * sx
    if spread == 0:
        return Fraction(0)
    return Fraction(n * sum(x * y for x, y in zip(xs, ys, strict=True)) - sx * sy, spread * 10)


def _ratio(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return (part / whole).quantize(CENT, ROUND_HALF_UP)


def _months_back(day: date, months: int) -> date:
    """The last day of the month `months` before the month of `day`."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, monthrange(year, month + 1)[1])


@dataclass
class History:
    """What was known of the projects on a day, as the forecast needs it."""

    planned: dict[int, dict[int, Decimal]]  # project → year planned by month → amount to date
    actual: dict[int, Decimal]  # project → investment since the start
    readings: dict[int, list[tuple[date, Decimal]]]  # project → (month's end, percent)


def history(projects, today: date) -> History:
    """The plans and approved monthly reports of the projects, as of `today` (three queries; a
    queryset of projects is read as a subquery).

    The sums are made by the database. Of the readings of physical progress, only those of the
    last TREND_REPORTS + 6 months are read, with any that said 100% (the first of them dates a
    finish); a project with none that recent has all of its own read.
    """
    ids = (
        projects.values("pk") if isinstance(projects, models.QuerySet) else [p.pk for p in projects]
    )
    until = data_date(today)
    planned: dict = defaultdict(dict)
    ended = models.Q(plan__year__lt=until.year) | models.Q(
        plan__year=until.year, month__lte=until.month
    )
    for project_id, year, amount in (
        PlanMonth.objects.filter(plan__project_id__in=ids)
        .order_by()
        .values_list("plan__project_id", "plan__year")
        .annotate(amount=Sum("planned_investment", filter=ended))
    ):
        planned[project_id][year] = amount or Decimal(0)
    reports = counted_reports().filter(project_id__in=ids, period__end__lte=today)
    known = models.Q(physical_percent__isnull=False)
    actual, latest = {}, {}
    for project_id, invested, last in (
        reports.order_by()
        .values_list("project_id")
        .annotate(invested=Sum("invested"), last=Max("period__end", filter=known))
    ):
        actual[project_id] = invested
        latest[project_id] = last
    recent = _months_back(until, TREND_REPORTS + 6)
    stale = [pk for pk, last in latest.items() if last is not None and last <= recent]
    wanted = models.Q(period__end__gt=recent) | models.Q(physical_percent__gte=HUNDRED)
    if stale:
        wanted |= models.Q(project_id__in=stale)
    readings: dict = defaultdict(list)
    for project_id, end, percent in (
        reports.filter(known & wanted)
        .order_by("project_id", "period__end")
        .values_list("project_id", "period__end", "physical_percent")
    ):
        readings[project_id].append((end, percent))
    return History(planned=planned, actual=actual, readings=readings)


def all_readings(projects, today: date) -> dict[int, list[tuple[date, Decimal]]]:
    """Every reading of physical progress of the projects' approved monthly reports of periods
    ended by `today`, in order (one query; for back-testing)."""
    readings: dict = defaultdict(list)
    for project_id, end, percent in (
        counted_reports()
        .filter(
            project_id__in=projects.values("pk")
            if isinstance(projects, models.QuerySet)
            else [p.pk for p in projects],
            period__end__lte=today,
            physical_percent__isnull=False,
        )
        .order_by("project_id", "period__end")
        .values_list("project_id", "period__end", "physical_percent")
    ):
        readings[project_id].append((end, percent))
    return readings


def forecast_of(project, history: History, today: date) -> tuple[Forecast, Trend]:
    """The forecast of one project as of `today`, and the trend that gave its finish."""
    budget = project.total_investment
    readings = history.readings.get(project.pk, [])
    pv = planned_value(project, history.planned.get(project.pk, {}), data_date(today))
    ac = history.actual.get(project.pk, Decimal(0)).quantize(CENT)
    ev = (readings[-1][1] * budget / HUNDRED).quantize(CENT, ROUND_HALF_UP) if readings else None
    line = trend(readings, project.actual_start)
    finish = line.finish
    late = (
        (finish - project.planned_completion).days
        if finish is not None and project.planned_completion is not None
        else None
    )
    forecast = Forecast(
        planned_value=pv,
        earned_value=ev,
        actual_cost=ac,
        spi=_ratio(ev, pv),
        cpi=_ratio(ev, ac),
        finish=finish,
        late_days=late,
        method=line.method,
    )
    return forecast, line


def forecasts(projects, today: date | None = None) -> dict[int, Forecast]:
    """For projects under construction (stages new with an actual start, and continuing), in a
    fixed number of queries whatever their number; others get no entry."""
    today = today or timezone.localdate()
    if isinstance(projects, models.QuerySet):
        # Only what the forecast reads, whatever the queryset annotates, selects or prefetches.
        building = (
            Project.objects.filter(pk__in=projects.values("pk"))
            .filter(
                models.Q(stage=Stage.CONTINUING)
                | models.Q(stage=Stage.NEW, actual_start__lte=today)
            )
            .order_by()
            .only(*FIELDS)
        )
        rows = list(building)
        known = history(building, today) if rows else None
    else:
        rows = [p for p in projects if under_construction(p, today)]
        known = history(rows, today) if rows else None
    return {project.pk: forecast_of(project, known, today)[0] for project in rows}


__all__ = ["Forecast", "Method", "forecasts", "planned_value", "trend"]
