"""Periodic work of the reporting cycle, run by Celery beat (or `diaodu open_periods`)."""

from celery import shared_task

from diaodu.core.tasks import recorded
from diaodu.reporting import services


@shared_task(name="diaodu.reporting.tasks.open_periods")
def open_periods() -> int:
    """Open the periods containing today (idempotent: run hourly)."""
    with recorded("open_periods"):
        return len(services.open_due_periods())


@shared_task(name="diaodu.reporting.tasks.close_periods")
def close_periods() -> int:
    """Close the periods long past their due date (idempotent: run daily)."""
    with recorded("close_periods"):
        return len(services.close_due_periods())
