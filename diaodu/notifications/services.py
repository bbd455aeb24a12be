"""Sending notifications. Channels are pluggable: the in-app one is always on; others
(email, chat) are functions named in DIAODU_NOTIFICATION_CHANNELS that take the saved
notifications, and run as tasks once the change is committed (diaodu/notifications/tasks.py)."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from diaodu.notifications.models import Notification

logger = logging.getLogger(__name__)


def notify(recipients, title: str, *, url: str = "", body: str = "", exclude=None, once_since=None):
    """Notify each distinct active recipient (except `exclude`, usually the actor).

    With `once_since` (a time), a recipient who already has this notification (same title and
    link) since then is not notified again: a daily job run twice sends nothing twice.
    """
    seen, notifications = set(), []
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
        notifications.append(Notification(recipient=user, title=title[:200], url=url, body=body))
    created = Notification.objects.bulk_create(notifications)
    ids = [n.pk for n in created]
    for path in getattr(settings, "DIAODU_NOTIFICATION_CHANNELS", []) if ids else []:
        transaction.on_commit(lambda path=path: _queue(path, ids))
    return created


def _queue(path: str, ids: list[int]):
    """Queue a channel's delivery; whatever goes wrong, the person's action stands."""
    from diaodu.notifications.tasks import deliver

    try:
        deliver.delay(path, ids)
    except Exception:
        logger.exception("could not queue channel %s for notifications %s", path, ids)


def mark_read(user, notification=None):
    queryset = Notification.objects.visible_to(user).unread()
    if notification is not None:
        queryset = queryset.filter(pk=notification.pk)
    return queryset.update(read_at=timezone.now())
