"""Publishing rankings on the task queue: asked for by the request, computed by a worker."""

import logging
from datetime import date

from celery import shared_task

logger = logging.getLogger(__name__)


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
