"""Periodic work on projects, run by Celery beat (or `diaodu refresh`)."""

from celery import shared_task

from diaodu.core.tasks import recorded


@shared_task(name="diaodu.projects.tasks.refresh", time_limit=3600, soft_time_limit=3590)
def refresh() -> dict:
    """Recompute every investment summary and stored light (idempotent: run daily)."""
    from diaodu.projects.lights import refresh_lights
    from diaodu.reporting.totals import refresh_summaries

    with recorded("refresh"):
        return {"summaries": refresh_summaries(), "lights": refresh_lights()}
