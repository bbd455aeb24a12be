"""Sending notifications. Channels are pluggable: the in-app one is always on; others
(email, chat) are functions named in DIAODU_NOTIFICATION_CHANNELS that take the saved
notifications, and run as tasks once the change is committed (diaodu/notifications/tasks.py)."""

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.notifications import outbox
from diaodu.notifications.models import Delivery, DeliveryStatus, Notification
from diaodu.org.models import AnyUser, User
from diaodu.org.permissions import is_active, is_headquarters, require

logger = logging.getLogger(__name__)


def notify(
    recipients: Iterable[User | None],
    title: str,
    *,
    url: str = "",
    body: str = "",
    exclude: AnyUser | None = None,
    once_since: datetime | None = None,
    event: str = "",
    key: str = "",
) -> list[Notification]:
    """Notify each distinct active recipient (except `exclude`, usually the actor).

    `event` names what happened ("report.returned", "problem.overdue" ...). With `key`, a
    recipient who has already had a notice with that key is not told again, whenever that was:
    a reminder job run twice, or catching up after days stopped, tells each person once. With
    `once_since` (a time), the same holds for the same title and link since then.
    """
    seen: set[int] = set()
    notifications: list[Notification] = []
    if key:
        seen |= set(
            Notification.objects.filter(key=key[:200]).values_list("recipient_id", flat=True)
        )
    if once_since is not None:
        seen |= set(
            Notification.objects.filter(
                title=title[:200], url=url, created_at__gte=once_since
            ).values_list("recipient_id", flat=True)
        )
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        if exclude is not None and user.pk == exclude.pk:
            continue
        seen.add(user.pk)
        notifications.append(
            Notification(
                recipient=user,
                title=title[:200],
                url=url,
                body=body,
                event=event[:50],
                key=key[:200],
            )
        )
    created = Notification.objects.bulk_create(notifications)
    outbox.plan(created, key or uuid.uuid4().hex)
    ids = [n.pk for n in created]
    for path in getattr(settings, "DIAODU_NOTIFICATION_CHANNELS", []) if ids else []:
        transaction.on_commit(partial(_queue, path, ids))
    return created


def _queue(path: str, ids: list[int]) -> None:
    """Queue a channel's delivery; whatever goes wrong, the person's action stands."""
    from diaodu.notifications.tasks import deliver

    try:
        deliver.delay(path, ids)
    except Exception:
        logger.exception("could not queue channel %s for notifications %s", path, ids)


def do_resend(actor: User, delivery: Delivery) -> Delivery:
    """Send a failed (or stuck) delivery again: headquarters only, from the outbox page."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    require(is_headquarters(actor), _("Only headquarters manages the outbox."))
    updated = Delivery.objects.filter(
        pk=delivery.pk, status__in=[DeliveryStatus.FAILED, DeliveryStatus.SENDING]
    ).update(status=DeliveryStatus.QUEUED, attempts=0, not_before=None)
    if not updated:
        raise ValidationError(_("Only a failed delivery can be sent again."))
    logger.info("delivery %s queued again by %s", delivery.pk, actor.username)
    delivery.refresh_from_db()
    transaction.on_commit(lambda: outbox.queue([delivery]))
    return delivery


def mark_read(user: AnyUser, notification: Notification | None = None) -> int:
    """Mark one of the user's notifications read, or all of them (the bell's "read all").

    Only its recipient marks a notification read. Idempotent: one already read keeps the
    time it was first read (a single UPDATE of the unread ones, so two at once agree).
    Returns how many were marked.
    """
    queryset = Notification.objects.visible_to(user).unread()
    if notification is not None:
        require(
            is_active(user) and notification.recipient_id == user.pk,
            _("This notification is not yours."),
        )
        queryset = queryset.filter(pk=notification.pk)
    return queryset.update(read_at=timezone.now())
