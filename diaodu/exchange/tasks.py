"""Ledger imports on the task queue: the page and the API queue a step and show its progress.

A step is idempotent: it runs only while its job is still running and nobody else is working
on it (claimed through the job's heartbeat), so a task delivered twice, or again after a
worker died, changes nothing the second time; a step that died half-way has written nothing
(an import is applied in one transaction) and is taken over once its heartbeat is stale.
"""

import logging

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from diaodu.exchange.models import RUNNING, STALE_AFTER, ImportJob

logger = logging.getLogger(__name__)


def claim(job_id: int) -> ImportJob | None:
    """The job, if it is running and unclaimed (or abandoned); None if another run has it."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - STALE_AFTER),
        pk=job_id,
        status__in=RUNNING,
    ).update(heartbeat_at=now)
    if not claimed:
        return None
    return ImportJob.objects.select_related("created_by", "program").get(pk=job_id)


@shared_task(name="diaodu.exchange.tasks.run_import", time_limit=3600, soft_time_limit=3590)
def run_import(job_id: int, apply: bool) -> str:
    """Check a job's file and, when `apply` and it is clean, import it."""
    from diaodu.exchange.jobs import check_and_apply

    job = claim(job_id)
    if job is None:
        logger.info("import %s: already done or running elsewhere", job_id)
        return "skipped"
    check_and_apply(job, apply=apply)
    job.refresh_from_db(fields=["status"])
    logger.info("import %s: %s", job_id, job.status)
    return job.status
