"""Delivering notifications through the channels beyond the bell (e-mail, chat robots ...).

Each channel runs as a task, after the change that caused the notification is committed: a
slow channel never delays the person's request, and a failing one never undoes what they did.
A failure is logged and retried with growing pauses; a notification a channel has delivered is
not delivered by it again, so a task run twice sends nothing the second time.
"""

import logging

from celery import shared_task
from django.utils.module_loading import import_string

from diaodu.notifications.models import Notification

logger = logging.getLogger(__name__)
RETRIES = 5


@shared_task(bind=True, name="diaodu.notifications.tasks.deliver", max_retries=RETRIES)
def deliver(self, channel_path: str, notification_ids: list[int]) -> str:
    """Send the notifications not yet delivered by the channel at `channel_path`."""
    waiting = [
        n
        for n in Notification.objects.filter(pk__in=notification_ids).select_related("recipient")
        if channel_path not in (n.delivered_by or [])
    ]
    if not waiting:
        return "nothing to send"
    # With no queue (no broker), the tries follow each other at once, in this process.
    tries = range(RETRIES + 1) if self.request.is_eager else [self.request.retries]
    for attempt in tries:
        try:
            channel = import_string(channel_path)
            channel(waiting)
            break
        except Exception as error:
            if attempt >= RETRIES:
                logger.error(
                    "channel %s gave up on notifications %s after %d tries: %r",
                    channel_path, [n.pk for n in waiting], RETRIES + 1, error,
                )  # fmt: skip
                return "failed"
            logger.warning(
                "channel %s failed (try %d), retrying: %r", channel_path, attempt + 1, error
            )
            if not self.request.is_eager:
                countdown = min(3600, 30 * 2**attempt)
                raise self.retry(exc=error, countdown=countdown) from error
    for notification in waiting:
        notification.delivered_by = [*(notification.delivered_by or []), channel_path]
    Notification.objects.bulk_update(waiting, ["delivered_by"])
    logger.info("channel %s delivered %d notifications", channel_path, len(waiting))
    return "sent"
