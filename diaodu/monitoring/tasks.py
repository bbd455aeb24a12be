"""The daily jobs of supervision, run by Celery beat (or `diaodu refresh`, `diaodu remind`)."""

from celery import shared_task

from diaodu.core.tasks import recorded


@shared_task(name="diaodu.monitoring.tasks.refresh", time_limit=3600, soft_time_limit=3590)
def refresh() -> dict:
    """Recompute every investment summary and stored light (idempotent: run daily)."""
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
