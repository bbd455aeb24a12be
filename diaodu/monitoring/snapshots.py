"""Taking the snapshot of a month: every project's light (the rules of `lights.py` applied as of
the month's last day, or today while the month runs), its facts (`reporting.snapshots.facts`)
and, for projects under construction, its earned value and forecast finish
(`monitoring.forecast`), stored by `reporting.snapshots.do_store_month`.

`take(month)` is idempotent: taken again, the month's rows are replaced, until the month is
published (its bulletin issued). `rebuild(first, last)` takes every month between, for a city
that starts keeping snapshots with months of history behind it (marked rebuilt).
"""

from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation

from diaodu.monitoring import lights
from diaodu.projects.models import Project
from diaodu.reporting import snapshots
from diaodu.reporting.models import MonthSnapshot

CHUNK = 5000


def _forecasts(projects, as_of):
    try:
        from diaodu.monitoring import forecast
    except ImportError:  # the forecast is not part of this installation
        return {}
    return forecast.forecasts(projects, as_of)


def take(month: date, *, today: date | None = None, rebuilt: bool = False) -> MonthSnapshot:
    """Take (or take again) the snapshot of `month`: of every project that existed by its end."""
    today = today or timezone.localdate()
    month = snapshots.first_of(month)
    last = snapshots.last_of(month)
    as_of = min(last, today)
    # The projects that existed by the month's end, and those entered later whose plan had
    # them under way or planned by then (a ledger imported after the month it speaks of).
    existed = (
        Q(created_at__lte=snapshots.end_of_day(last))
        | Q(planned_start__isnull=True)
        | Q(planned_start__lte=last)
    )
    queryset = (
        Project.objects.filter(existed)
        .order_by("pk")
        .only(
            "pk", "stage", "region_id", "actual_start", "planned_start", "planned_completion",
            "total_investment",
        )
    )  # fmt: skip
    projects = list(queryset)
    facts = snapshots.facts(None, as_of)  # of every project at once
    rows = []
    with translation.override(settings.LANGUAGE_CODE):  # reasons kept in Chinese
        for start in range(0, len(projects), CHUNK):
            chunk = projects[start : start + CHUNK]
            verdicts = lights.evaluate(chunk, as_of)
            forecasts = _forecasts(chunk, as_of)
            for project in chunk:
                verdict = verdicts[project.pk]
                forecast = forecasts.get(project.pk)
                rows.append(
                    snapshots.Row(
                        project_id=project.pk,
                        stage=project.stage,
                        region_id=project.region_id,
                        light=verdict.light,
                        light_reasons=[[light, str(reason)] for light, reason in verdict.reasons],
                        facts=facts[project.pk],
                        spi=getattr(forecast, "spi", None),
                        cpi=getattr(forecast, "cpi", None),
                        forecast_finish=getattr(forecast, "finish", None),
                    )
                )
    return snapshots.do_store_month(
        month, rows, rebuilt=rebuilt, rules_version=lights.RULES_VERSION
    )


def rebuild(first: date, last: date, *, today: date | None = None) -> list[MonthSnapshot]:
    """Take every month from `first` to `last` that is not yet published, from the history."""
    taken, month, end = [], snapshots.first_of(first), snapshots.first_of(last)
    published = set(
        MonthSnapshot.objects.filter(published_at__isnull=False).values_list("month", flat=True)
    )
    while month <= end:
        if month not in published:
            taken.append(take(month, today=today, rebuilt=True))
        month = _next_month(month)
    return taken


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)
