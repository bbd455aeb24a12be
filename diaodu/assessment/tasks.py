"""Writing a bulletin on the task queue: numbered by the request, written by a worker.

Idempotent: only a bulletin still being written is written, under a row lock, so a task
delivered twice writes it once; a failure marks it failed with the reason, to be issued again.
"""

import logging
from datetime import date

from celery import shared_task
from django.db import transaction

from diaodu.assessment.models import Bulletin, BulletinStatus

logger = logging.getLogger(__name__)


@shared_task(name="diaodu.assessment.tasks.write_bulletin", time_limit=1800, soft_time_limit=1790)
def write_bulletin(bulletin_id: int, today: str) -> str:
    from diaodu.assessment.bulletins import write

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
    logger.info("bulletin %s written", bulletin_id)
    return "issued"


@shared_task(name="diaodu.assessment.tasks.publish_rankings", time_limit=1800, soft_time_limit=1790)
def publish_rankings(actor_id: int, period: str, today: str) -> int:
    """Compute and publish both groups' rankings of a period (publishing again replaces what
    was published, so a task run twice leaves the same rankings)."""
    from diaodu.assessment.periods import Window
    from diaodu.assessment.services import do_publish_period
    from diaodu.org.models import User

    actor = User.objects.get(pk=actor_id)
    rankings = do_publish_period(actor, Window.parse(period), date.fromisoformat(today))
    logger.info("rankings of %s published", period)
    return len(rankings)
