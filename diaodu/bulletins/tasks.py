"""Writing a bulletin on the task queue: numbered by the request, written by a worker.

Idempotent: only a bulletin still being written is written, under a row lock, so a task
delivered twice writes it once; a failure marks it failed with the reason, to be issued again.
"""

import logging
from datetime import date

from celery import shared_task
from django.db import transaction

from diaodu.bulletins.choices import BulletinStatus
from diaodu.bulletins.models import Bulletin

logger = logging.getLogger(__name__)


# The name it had when bulletins belonged to the assessment app: a task queued under that name
# before an upgrade is still run by the workers after it.
@shared_task(name="diaodu.assessment.tasks.write_bulletin", time_limit=1800, soft_time_limit=1790)
def write_bulletin(bulletin_id: int, today: str) -> str:
    from diaodu.bulletins import progress
    from diaodu.bulletins.services import write

    try:
        with transaction.atomic():
            bulletin = (
                Bulletin.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("created_by")
                .filter(pk=bulletin_id, status=BulletinStatus.WRITING)
                .first()
            )
            if bulletin is None:
                return "skipped"
            write(bulletin, date.fromisoformat(today))
    except Exception as error:
        logger.exception("bulletin %s could not be written", bulletin_id)
        Bulletin.objects.filter(pk=bulletin_id, status=BulletinStatus.WRITING).update(
            status=BulletinStatus.FAILED, error=repr(error)[:2000]
        )
        return "failed"
    finally:
        progress.clear(bulletin_id)
    logger.info("bulletin %s written", bulletin_id)
    return "issued"
