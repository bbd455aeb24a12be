"""The indicators of a live ranking, kept: a ranking that is not published is read, not computed.

Computing a group's indicators reads every project, plan, report, milestone, problem, task,
inspection and approval of the year (seconds at tens of thousands of projects). They are kept
with the other figures pages aggregate (diaodu/core/kept.py) under the period, the group, the day
and the data version; the models they read move the version on (diaodu/assessment/receivers.py).
The queue computes what the ranking pages read right after a change: this month and the last
(and the month before each, for the change in rank), for both groups, where not published;
and last month's figures of the whole portfolio, which its bulletin opens with.
"""

from datetime import date

from django.utils import timezone

from diaodu.assessment import indicators
from diaodu.assessment.periods import Window
from diaodu.core import kept

FAMILY = "indicators"
PORTFOLIO = "portfolio"


def values(
    window: Window, group: str, today: date | None = None, *, fresh: bool = False
) -> dict[int, dict]:
    """indicators.compute(window, group, today), kept until the data or the day changes; for
    a live page, those of a while ago while the queue computes them again (kept.A_WHILE), but
    `fresh` (what is published) those of the data as it is."""
    today = today or timezone.localdate()
    return kept.read(
        FAMILY,
        (window.code, group),
        lambda: indicators.compute(window, group, today),
        today,
        stale_for=0 if fresh else kept.A_WHILE,
    )


def portfolio(window: Window, as_of: date) -> dict:
    """indicators.portfolio(window, as_of): the whole portfolio's figures a bulletin opens with,
    kept like the units' indicators."""
    return kept.read(
        PORTFOLIO, (window.code, as_of.isoformat()), lambda: indicators.portfolio(window, as_of)
    )


def portfolio_looked_at(today: date):
    """Last month's, read by its bulletin (issued in the first days of the month after)."""
    window = Window.month_of(today).previous()
    as_of = indicators.period_end(window, today)
    yield (window.code, as_of.isoformat()), (lambda: indicators.portfolio(window, as_of))


def looked_at(today: date):
    """The live rankings' indicators the pages read on a day."""
    from diaodu.assessment.choices import Group
    from diaodu.assessment.models import Ranking

    this_month = Window.month_of(today)
    windows = [this_month, this_month.previous(), this_month.previous().previous()]
    for window in windows:
        for group in Group.values:
            published = Ranking.objects.filter(
                kind=window.kind, year=window.year, number=window.number, group=group
            ).exists()
            if not published:
                yield (
                    (window.code, group),
                    (lambda w=window, g=group: indicators.compute(w, g, today)),
                )


__all__ = ["FAMILY", "PORTFOLIO", "looked_at", "portfolio", "portfolio_looked_at", "values"]
