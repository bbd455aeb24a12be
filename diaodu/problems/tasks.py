"""Daily reminders, run by Celery beat (or `diaodu remind`)."""

from celery import shared_task

from diaodu.core.tasks import recorded


@shared_task(name="diaodu.problems.tasks.remind")
def remind() -> dict:
    """Remind units of deadlines near, departments of approvals near or past their limit.

    Approval warnings go once per change of light; deadline reminders on the day that is
    DIAODU_WARNING_DAYS before the deadline."""
    from diaodu.problems.services import notify_deadlines
    from diaodu.projects.approvals import notify_time_limits

    with recorded("remind"):
        return {"reminders": notify_deadlines(), "approvals": notify_time_limits()}
