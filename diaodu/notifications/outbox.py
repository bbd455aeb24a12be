"""The outbox: which channels a notice goes to, written with the notice, sent by the queue.

For the notices of one `notify()` call:

- each recipient's e-mail (if they have an address and keep e-mail on) and SMS (if they chose
  it and have a phone), at the end of their quiet hours if the notice comes during them, or
  held for their daily digest;
- each recipient unit's group robots (DingTalk, WeCom), one message per robot whatever the
  number of its people told, @-mentioning them by phone; a unit with no robot of its own
  falls back on the deployment-wide robots (DIAODU_DINGTALK_WEBHOOK, DIAODU_WECOM_WEBHOOK);
- the deployment's outgoing webhook (DIAODU_WEBHOOK_URL), once per notice.

Rows are unique per (key, channel, target), so a notice told again tells no channel again.
A target is a reference resolved when sending ("robot:5", "default", "user:12", "webhook"):
no address or secret is copied into the outbox.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from diaodu.notifications.channels import Channel, Message
from diaodu.notifications.models import ChannelChoice, Delivery, DeliveryStatus, UnitRobot

logger = logging.getLogger(__name__)


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.DIAODU_SITE_URL.rstrip("/") + url


def _mask(address: str) -> str:
    name, _, domain = address.partition("@")
    if domain:
        return f"{name[:1]}***@{domain}"
    return f"{address[:3]}****{address[-4:]}" if len(address) > 7 else address


def _quiet_end(choice: ChannelChoice | None, now: datetime) -> datetime | None:
    """The end of the person's quiet hours if `now` falls within them."""
    if choice is None or choice.quiet_from is None or choice.quiet_until is None:
        return None
    local = timezone.localtime(now)
    start, end, time = choice.quiet_from, choice.quiet_until, local.time()
    inside = start <= time < end if start < end else (time >= start or time < end)
    if not inside:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return until if until > local else until + timedelta(days=1)


def plan(notifications, group: str) -> list[Delivery]:
    """The outbox rows of one notify() call's notices (saved, in the caller's transaction)."""
    if not notifications:
        return []
    from diaodu.org.models import User

    users = {
        u.pk: u
        for u in User.objects.filter(pk__in=[n.recipient_id for n in notifications]).select_related(
            "unit", "channel_choice"
        )
    }
    first = notifications[0]
    message = {
        "title": first.title,
        "body": first.body,
        "url": absolute(first.url),
        "event": first.event,
    }
    now = timezone.now()
    rows: list[Delivery] = []
    for notification in notifications:
        user = users[notification.recipient_id]
        choice = getattr(user, "channel_choice", None)
        personal = {**message, "url": absolute(notification.url)}
        held = choice is not None and choice.digest
        later = _quiet_end(choice, now)
        wanted = []
        if user.email and (choice is None or choice.email):
            wanted.append((Channel.EMAIL, _mask(user.email)))
        if user.phone and choice is not None and choice.sms and settings.DIAODU_SMS_PROVIDER:
            wanted.append((Channel.SMS, _mask(user.phone)))
        for channel, label in wanted:
            rows.append(
                Delivery(
                    key=f"{group}:{user.pk}",
                    event=notification.event,
                    channel=channel,
                    target=f"user:{user.pk}",
                    target_label=f"{user} {label}",
                    notification=notification,
                    message=personal,
                    status=DeliveryStatus.HELD if held else DeliveryStatus.QUEUED,
                    not_before=later,
                )
            )
    # Group robots: per unit told, one message each, mentioning its people told.
    by_unit: dict[int, list] = {}
    for notification in notifications:
        user = users[notification.recipient_id]
        if user.unit_id:
            by_unit.setdefault(user.unit_id, []).append(user)
    robots = {}
    for robot in UnitRobot.objects.filter(unit_id__in=list(by_unit), active=True).select_related(
        "unit"
    ):
        robots.setdefault(robot.unit_id, []).append(robot)
    defaults = {
        Channel.DINGTALK: bool(settings.DIAODU_DINGTALK_WEBHOOK),
        Channel.WECOM: bool(settings.DIAODU_WECOM_WEBHOOK),
    }
    targets: dict[tuple[str, str], dict] = {}
    for unit_id, people in by_unit.items():
        own = robots.get(unit_id, [])
        chosen = [(r.channel, f"robot:{r.pk}", str(r)) for r in own]
        if not own:
            chosen = [
                (channel, "default", str(Channel(channel).label))
                for channel, configured in defaults.items()
                if configured
            ]
        for channel, target, label in chosen:
            entry = targets.setdefault((channel, target), {"label": label, "phones": []})
            entry["phones"] += [u.phone for u in people if u.phone]
    for (channel, target), entry in targets.items():
        rows.append(
            Delivery(
                key=group,
                event=first.event,
                channel=channel,
                target=target,
                target_label=entry["label"][:200],
                notification=first,
                message={**message, "mentions": sorted(set(entry["phones"]))},
            )
        )
    if settings.DIAODU_WEBHOOK_URL:
        rows.append(
            Delivery(
                key=group,
                event=first.event,
                channel=Channel.WEBHOOK,
                target="webhook",
                target_label="webhook",
                notification=first,
                message=message,
            )
        )
    if not rows:
        return []
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    saved = list(
        Delivery.objects.filter(key__in={r.key for r in rows}, status=DeliveryStatus.QUEUED)
    )
    transaction.on_commit(lambda: queue(saved))
    return saved


def queue(deliveries: Iterable[Delivery]) -> None:
    """Hand queued deliveries to the task queue; a failure to queue leaves them queued."""
    from diaodu.notifications.tasks import send_delivery

    for delivery in deliveries:
        try:
            options = {"eta": delivery.not_before} if delivery.not_before else {}
            if options and not settings.CELERY_TASK_ALWAYS_EAGER:
                send_delivery.apply_async((delivery.pk,), **options)
            else:
                send_delivery.delay(delivery.pk)
        except Exception:
            logger.exception("could not queue delivery %s", delivery.pk)


def resolve(delivery: Delivery) -> dict:
    """The target's address and secret, read now (a robot changed since is used as it is)."""
    from diaodu.org.models import User

    kind, _, ident = delivery.target.partition(":")
    if kind == "user":
        user = User.objects.get(pk=int(ident))
        if delivery.channel == Channel.EMAIL:
            return {"address": user.email, "name": str(user)}
        return {"phone": user.phone}
    if kind == "robot":
        robot = UnitRobot.objects.get(pk=int(ident))
        return {"webhook": robot.webhook, "secret": robot.secret}
    if kind == "default":
        if delivery.channel == Channel.DINGTALK:
            return {
                "webhook": settings.DIAODU_DINGTALK_WEBHOOK,
                "secret": settings.DIAODU_DINGTALK_SECRET,
            }
        return {"webhook": settings.DIAODU_WECOM_WEBHOOK}
    if kind == "webhook":
        return {"url": settings.DIAODU_WEBHOOK_URL, "secret": settings.DIAODU_WEBHOOK_SECRET}
    raise ValueError(f"unknown target {delivery.target!r}")


def message_of(delivery: Delivery) -> Message:
    data = delivery.message or {}
    return Message(
        title=data.get("title", ""),
        body=data.get("body", ""),
        url=data.get("url", ""),
        mentions=list(data.get("mentions", [])),
        event=data.get("event", ""),
        id=str(delivery.pk),
    )
