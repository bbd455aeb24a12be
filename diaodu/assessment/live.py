"""The indicators of a live ranking, kept: a ranking that is not published is read, not computed.

Computing a group's indicators reads every project, plan, report, milestone, problem, task,
inspection and approval of the year (seconds at tens of thousands of projects). They are kept in
the cache (Redis in production, DIAODU_CACHE_URL) under a key naming the period, the group, the
day they are read on, and the data version: a number moved on by every change to what the
indicators read (a save or delete of those models, and `facts_changed`, which the services
and the imports call for their bulk writes), at once and again when the change commits (so that
what a reader computed from the rows before the commit is never read after it). The queue
computes the periods people look at right after a change (`warm`, once for a burst of changes),
so the page finds them ready; a reader who comes first computes and keeps them. Only where the
cache is shared by every process (DIAODU_KEEP_INDICATORS, on with DIAODU_CACHE_URL); elsewhere
they are computed on each read, as before.
"""

from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from diaodu.assessment import indicators
from diaodu.assessment.periods import Window

VERSION = "assessment:indicators:version"
PENDING = "assessment:indicators:warm-pending"
KEPT_FOR = 2 * 24 * 3600  # seconds; a key names its day, so nothing older is ever read


def version() -> int:
    kept = cache.get(VERSION)
    if kept is None:
        cache.add(VERSION, 1, timeout=None)
        kept = cache.get(VERSION, 1)
    return int(kept)


def _move_on() -> None:
    try:
        cache.incr(VERSION)
    except ValueError:  # not kept yet (or evicted): any new number will do
        cache.add(VERSION, 1, timeout=None)


def changed() -> None:
    """What the indicators read has changed: move the version on now and again at the commit,
    and have the queue compute the periods people look at once it is committed."""
    if not settings.DIAODU_KEEP_INDICATORS:
        return
    _move_on()
    transaction.on_commit(_move_on)
    transaction.on_commit(_schedule_warm)


# The queue computes a little after the first change of a burst, once for all of it.
WARM_AFTER = 30  # seconds


def _schedule_warm() -> None:
    from diaodu.assessment.tasks import warm_indicators

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # no queue (development): the first reader computes and keeps them
    if cache.add(PENDING, 1, timeout=600):
        warm_indicators.apply_async(countdown=WARM_AFTER)


def values(window: Window, group: str, today: date | None = None) -> dict[int, dict]:
    """indicators.compute(window, group, today), kept until the data or the day changes."""
    today = today or timezone.localdate()
    if not settings.DIAODU_KEEP_INDICATORS:
        return indicators.compute(window, group, today)
    key = f"assessment:indicators:{window.code}:{group}:{today.isoformat()}:{version()}"
    kept = cache.get(key)
    if kept is None:
        kept = indicators.compute(window, group, today)
        cache.set(key, kept, timeout=KEPT_FOR)
    return kept


def warm(today: date | None = None) -> list[str]:
    """Compute what the ranking pages read: this month and the last (and the month before each,
    for the change in rank) for both groups, where they are not published."""
    from diaodu.assessment.choices import Group
    from diaodu.assessment.models import Ranking

    cache.delete(PENDING)
    today = today or timezone.localdate()
    this_month = Window.month_of(today)
    windows = [this_month, this_month.previous(), this_month.previous().previous()]
    warmed = []
    for window in windows:
        for group in Group.values:
            published = Ranking.objects.filter(
                kind=window.kind, year=window.year, number=window.number, group=group
            ).exists()
            if not published:
                values(window, group, today)
                warmed.append(f"{window.code} {group}")
    return warmed


__all__ = ["changed", "values", "version", "warm"]
