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


MAX_ATTEMPTS = 3  # the first try and two retries, 1 and 4 minutes later; then "failed"
SENDING_STALE = 600  # seconds after which a delivery still "sending" is taken to have died


@shared_task(name="diaodu.notifications.tasks.send_delivery", max_retries=None)
def send_delivery(delivery_id: int) -> str:
    """Send one outbox row through its channel; retried with growing pauses; idempotent (only
    a queued row is sent, claimed first, so a task delivered twice sends once)."""
    from datetime import timedelta

    from django.db.models import F, Q
    from django.utils import timezone

    from diaodu.notifications.channels import CHANNELS, ChannelError
    from diaodu.notifications.models import Delivery, DeliveryStatus
    from diaodu.notifications.outbox import message_of, resolve

    now = timezone.now()
    claimed = Delivery.objects.filter(
        Q(status=DeliveryStatus.QUEUED)
        | Q(status=DeliveryStatus.SENDING, updated_at__lt=now - timedelta(seconds=SENDING_STALE)),
        pk=delivery_id,
    ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, updated_at=now)
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.get(pk=delivery_id)
    try:
        send = import_string(CHANNELS[delivery.channel])
        send(message_of(delivery), resolve(delivery))
    except Exception as error:
        retryable = getattr(error, "retryable", not isinstance(error, ChannelError))
        final = not retryable or delivery.attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.QUEUED,
            last_error=str(error)[:2000] or repr(error),
        )
        if final:
            logger.error(
                "delivery %s by %s failed for good after %d tries: %s",
                delivery_id, delivery.channel, delivery.attempts, error,
            )  # fmt: skip
            return "failed"
        logger.warning(
            "delivery %s by %s failed (try %d), retrying: %s",
            delivery_id, delivery.channel, delivery.attempts, error,
        )  # fmt: skip
        countdown = 60 * 4 ** (delivery.attempts - 1)
        if send_delivery.app.conf.task_always_eager:
            return send_delivery(delivery_id)  # no queue: the next try at once
        send_delivery.apply_async((delivery_id,), countdown=countdown)
        return "retrying"
    Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    logger.info("delivery %s sent by %s to %s", delivery_id, delivery.channel, delivery.target)
    return "sent"


@shared_task(name="diaodu.notifications.tasks.send_digests")
def send_digests() -> int:
    """Once a day: each person who chose a digest gets one message per channel with the notices
    held for them, and those are marked sent."""
    from django.db import transaction
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from diaodu.core.tasks import recorded
    from diaodu.notifications.models import Delivery, DeliveryStatus

    sent = 0
    with recorded("digests"):
        held = Delivery.objects.filter(status=DeliveryStatus.HELD).order_by("created_at", "pk")
        groups: dict[tuple[str, str], list] = {}
        for delivery in held:
            groups.setdefault((delivery.channel, delivery.target), []).append(delivery)
        for (channel, target), items in groups.items():
            lines = [
                f"· {d.message.get('title', '')} {d.message.get('url', '')}".strip() for d in items
            ]
            with transaction.atomic():
                digest = Delivery.objects.create(
                    key=f"digest:{timezone.localdate():%Y-%m-%d}:{items[0].pk}",
                    event="digest",
                    channel=channel,
                    target=target,
                    target_label=items[0].target_label,
                    message={
                        "title": _("%(count)d notices today") % {"count": len(items)},
                        "body": "\n".join(lines),
                    },
                )
                Delivery.objects.filter(pk__in=[d.pk for d in items]).update(
                    status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
                )
            transaction.on_commit(lambda pk=digest.pk: send_delivery.delay(pk))
            sent += 1
    return sent
