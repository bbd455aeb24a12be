"""Sending notifications. Channels are pluggable: the in-app one is always on; others
(email, chat) are functions named in DIAODU_NOTIFICATION_CHANNELS that take the saved
notifications."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from diaodu.notifications.models import Notification


def notify(recipients, title: str, *, url: str = "", body: str = "", exclude=None):
    """Notify each distinct active recipient (except `exclude`, usually the actor)."""
    seen, notifications = set(), []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        if exclude is not None and user.pk == exclude.pk:
            continue
        seen.add(user.pk)
        notifications.append(Notification(recipient=user, title=title[:200], url=url, body=body))
    created = Notification.objects.bulk_create(notifications)
    for path in getattr(settings, "DIAODU_NOTIFICATION_CHANNELS", []):
        channel = import_string(path)
        transaction.on_commit(lambda channel=channel: channel(created))
    return created


def mark_read(user, notification=None):
    queryset = Notification.objects.visible_to(user).unread()
    if notification is not None:
        queryset = queryset.filter(pk=notification.pk)
    return queryset.update(read_at=timezone.now())
