"""The daily jobs of supervision, run by Celery beat (or `diaodu refresh`, `diaodu remind`)."""

from celery import shared_task

from diaodu.core.tasks import recorded


@shared_task(name="diaodu.monitoring.tasks.refresh", time_limit=3600, soft_time_limit=3590)
def refresh() -> dict:
    """Recompute every investment summary and stored light and forecast (idempotent: run
    daily)."""
    from diaodu.monitoring.lights import refresh_lights
    from diaodu.reporting.totals import refresh_summaries

    with recorded("refresh"):
        return {"summaries": refresh_summaries(), "lights": refresh_lights()}


@shared_task(name="diaodu.monitoring.tasks.remind")
def remind() -> dict:
    """Remind owners of reports to file, units of problems and tasks near or past their
    deadline, departments of approvals near or past their limit.

    Each reminder is the one due today and goes once (it has a key), so running twice on a
    day sends nothing twice, and running after days stopped sends what was missed, once."""
    from diaodu.problems.services import notify_deadlines
    from diaodu.projects.approvals import notify_time_limits
    from diaodu.reporting.services import notify_filings

    with recorded("remind"):
        return {
            "filings": notify_filings(),
            "reminders": notify_deadlines(),
            "approvals": notify_time_limits(),
        }


@shared_task(name="diaodu.monitoring.tasks.snapshot", time_limit=3600, soft_time_limit=3590)
def snapshot() -> dict:
    """Keep this month's snapshot current (daily), and on the first days of a month take the
    month just closed once more, as it ended. Idempotent: a month's rows are replaced, and a
    published month is left as it is."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from diaodu.monitoring.snapshots import take
    from diaodu.reporting.models import MonthSnapshot
    from diaodu.reporting.snapshots import first_of, last_closed_month, last_of

    today = timezone.localdate()
    months = [first_of(today)]
    closed = last_closed_month(today)
    kept = MonthSnapshot.objects.filter(month=closed).first()
    taken_during = kept is not None and timezone.localtime(kept.taken_at).date() <= last_of(closed)
    if kept is None or (kept.published_at is None and taken_during):
        months.insert(0, closed)  # once more, now that it has ended
    taken = []
    with recorded("snapshot"):
        for month in months:
            try:
                taken.append(f"{take(month, today=today).month:%Y-%m}")
            except ValidationError:  # published: kept as it is
                continue
        return {"months": taken}
