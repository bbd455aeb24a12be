"""Back-testing the forecast (docs/forecast.md): made from what was known at the end of a month,
checked against the physical progress reported `horizon` months later.

Every project that had started by the end of month m and had not yet reported 100% is a case,
if it has an approved monthly report for month m + horizon. Each way of forecasting says what
progress to expect then; the error is that expectation minus the progress reported, in
percentage points. For the projects that reported 100% later on, the forecast finish is also
compared with the last day of the first month that said so. The ways compared are the
least-squares trend over the last 3, 6 and 12 monthly reports (the forecast uses TREND_REPORTS
of them), the average rate since the actual start alone, and, as the yardstick any method must
beat, progress left unchanged.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Max

from diaodu.monitoring.forecast import all_readings, trend
from diaodu.projects.models import Project
from diaodu.reporting.choices import PeriodKind
from diaodu.reporting.models import ReportingPeriod

TENTH = Decimal("0.1")
WITHIN = 5  # percentage points: a forecast this close counts as right
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Score:
    """How one way of forecasting fared over every case."""

    way: str  # "trend-6", "average", "unchanged"
    cases: int
    mean_error: Decimal  # mean absolute error, percentage points
    bias: Decimal  # mean of (forecast − reported): above 0, too optimistic
    within: Decimal  # per cent of the cases forecast within WITHIN points
    finish_cases: int  # cases of projects that later reported 100%
    finish_error: Decimal | None  # mean absolute error of their forecast finish, in days


def _month_end(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, monthrange(year, month + 1)[1])


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(TENTH, ROUND_HALF_UP)


def backtest(horizon: int = 3, trends: tuple[int, ...] = (3, 6, 12)) -> list[Score]:
    """The score of each way of forecasting over the database's history (a few queries)."""
    last = ReportingPeriod.objects.filter(kind=PeriodKind.MONTHLY).aggregate(end=Max("end"))["end"]
    if last is None:
        return []
    started = Project.objects.exclude(actual_start=None).only("pk", "actual_start")
    projects = list(started)
    known = all_readings(started, last)
    ways = [f"trend-{n}" for n in trends] + ["average", UNCHANGED]
    errors: dict[str, list[Fraction]] = {way: [] for way in ways}
    late: dict[str, list[int]] = {way: [] for way in ways}  # finish errors, in days
    for project in projects:
        readings = known.get(project.pk, [])
        reported = dict(readings)
        finished = next((end for end, p in readings if p >= 100), None)
        for index, (end, percent) in enumerate(readings):
            target = _month_end(end, horizon)
            if percent >= 100 or end < project.actual_start or target not in reported:
                continue
            past = readings[: index + 1]
            actual = Fraction(reported[target])
            for way, n in [*((f"trend-{n}", n) for n in trends), ("average", 0)]:
                line = trend(past, project.actual_start, last=n)
                errors[way].append(line.percent_at(target) - actual)
                if finished is not None and line.finish is not None:
                    late[way].append((line.finish - finished).days)
            errors[UNCHANGED].append(Fraction(percent) - actual)
    scores = []
    for way in ways:
        found = errors[way]
        if not found:
            continue
        count = len(found)
        scores.append(
            Score(
                way=way,
                cases=count,
                mean_error=_decimal(sum((abs(e) for e in found), Fraction(0)) / count),
                bias=_decimal(sum(found, Fraction(0)) / count),
                within=_decimal(Fraction(100 * sum(abs(e) <= WITHIN for e in found), count)),
                finish_cases=len(late[way]),
                finish_error=_decimal(Fraction(sum(abs(d) for d in late[way]), len(late[way])))
                if late[way]
                else None,
            )
        )
    return scores
