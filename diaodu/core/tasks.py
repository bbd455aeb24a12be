"""What every background job shares: the record of its runs, and its log lines; and the jobs
of the kept figures (diaodu/core/kept.py).

A periodic job runs inside `recorded(name)`, which keeps the time and outcome of its last run
in `JobRun` (read by `/health/`) and logs its start, end and failure.
"""

import logging
from contextlib import contextmanager

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from diaodu.core.models import JobRun

logger = logging.getLogger("diaodu.jobs")


@contextmanager
def recorded(name: str):
    """Record a run of the job `name`: started, finished, succeeded or not, and why."""
    started = timezone.now()
    JobRun.objects.update_or_create(name=name, defaults={"started_at": started})
    logger.info("job %s started", name)
    try:
        yield
    except Exception as error:
        JobRun.objects.filter(name=name).update(
            finished_at=timezone.now(),
            succeeded=False,
            detail=repr(error)[:2000],
            runs=F("runs") + 1,
        )
        logger.exception("job %s failed", name)
        raise
    JobRun.objects.filter(name=name).update(
        finished_at=timezone.now(), succeeded=True, detail="", runs=F("runs") + 1
    )
    logger.info("job %s finished in %.1f s", name, (timezone.now() - started).total_seconds())


@shared_task(name="diaodu.core.tasks.warm_kept", time_limit=1800, soft_time_limit=1790)
def warm_kept() -> list[str]:
    """Compute and keep the figures people look at, after a burst of changes (diaodu/core/kept.py):
    idempotent, the next reader finds them ready. On PostgreSQL without parallel workers: the
    queue's aggregates over every project take one core, not every core the requests need."""
    from django.db import connection, transaction

    from diaodu.core import kept

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return kept.warm()


@shared_task(name="diaodu.core.tasks.check_kept", time_limit=3600, soft_time_limit=3590)
def check_kept() -> dict:
    """Nightly: compute the kept figures afresh and report any drift (logged as an error,
    replaced). Idempotent."""
    from diaodu.core import kept

    with recorded("check_kept"):
        return kept.check()
